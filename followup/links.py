"""What an email to a customer carries back to their chat: a reply link that reopens it in the widget, and a
code in the Reply-To address that files their emailed answer under it. Both are signed with the bridge's key
and expire; a forged, garbled or stale one names no chat."""

import hashlib
import hmac
import re

from itsdangerous import BadData, URLSafeTimedSerializer

from bridge.clock import now

_LINK_SALT = "csr-bridge.reply-link"
_CODE_SALT = b"csr-bridge.reply-address:"
CODE = re.compile(r"^([a-z0-9]{4,40})\.([a-z0-9]{1,8})\.([0-9a-f]{24})$")
"""chat id . issue day (base 36) . MAC: lower case only, as some mail servers fold an address's case."""


class BadReplyToken(Exception):
    """Forged, garbled or expired: it opens nothing."""


class ReplyLinks:
    def __init__(self, key: str, days: float) -> None:
        self._links = URLSafeTimedSerializer(key, salt=_LINK_SALT)
        self._key = key.encode()
        self._days = days

    def link_token(self, chat_id: str) -> str:
        return self._links.dumps({"c": chat_id})

    def chat_of_link(self, token: str) -> str:
        try:
            data = self._links.loads(token, max_age=int(self._days * 86400))
        except BadData:
            raise BadReplyToken("not a valid reply link") from None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            raise BadReplyToken("not a valid reply link")
        return data["c"]

    def address_code(self, chat_id: str, at: float | None = None) -> str:
        day = _base36(int((now() if at is None else at) // 86400))
        return f"{chat_id}.{day}.{self._mac(chat_id, day)}"

    def chat_of_code(self, code: str, at: float | None = None) -> str:
        found = CODE.match(code.lower())
        if not found:
            raise BadReplyToken("not a reply address")
        chat_id, day, mac = found.groups()
        if not hmac.compare_digest(mac, self._mac(chat_id, day)):
            raise BadReplyToken("the reply address is not ours")
        if (now() if at is None else at) // 86400 - int(day, 36) > self._days:
            raise BadReplyToken("the reply address has expired")
        return chat_id

    def _mac(self, chat_id: str, day: str) -> str:
        return hmac.new(self._key, _CODE_SALT + f"{chat_id}.{day}".encode(), hashlib.sha256).hexdigest()[:24]


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out
