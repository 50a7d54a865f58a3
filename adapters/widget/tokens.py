"""Customer session tokens: signed (itsdangerous), naming one chat, expiring after the configured time.

The key is bridge.signing's: from the config, or generated once into the data directory.
"""

import secrets
from dataclasses import dataclass

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from adapters.widget.errors import ApiError
from bridge.clock import now

_SALT = "csr-bridge.widget.session"


@dataclass(frozen=True)
class Issued:
    token: str
    expires_at: float


class SessionTokens:
    def __init__(self, key: str, ttl_seconds: float) -> None:
        self._serializer = URLSafeTimedSerializer(key, salt=_SALT)
        self._ttl = ttl_seconds

    def issue(self, chat_id: str) -> Issued:
        return Issued(self._serializer.dumps({"c": chat_id}), now() + self._ttl)

    def chat_id(self, token: str) -> str:
        """The chat the token opens; ApiError(401) when it is forged, garbled or expired."""
        return self._verify(token)[0]

    def expires_at(self, token: str) -> float:
        """When a valid token stops opening its chat: a long-lived socket checks this on every frame
        instead of verifying the signature again."""
        return self._verify(token)[1] + self._ttl

    def _verify(self, token: str) -> tuple[str, float]:
        try:
            # itsdangerous hints max_age as int but compares any number; the TTL may be fractional
            data, signed = self._serializer.loads(token, max_age=self._ttl, return_timestamp=True)  # type: ignore[arg-type]
        except SignatureExpired:
            raise expired() from None
        except BadData:
            raise ApiError(401, "invalid_token", "The session token is not valid.") from None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            raise ApiError(401, "invalid_token", "The session token is not valid.")
        return data["c"], signed.timestamp()


def expired() -> ApiError:
    return ApiError(401, "token_expired", "This chat session has expired; start a new chat.")


class CustomerTokens:
    """One browser session's customer id, signed: the widget keeps it for the session and sends it with each
    new chat, so an unverified customer's chats are linked within that session and nowhere else."""

    _SALT = "csr-bridge.widget.customer"

    def __init__(self, key: str, ttl_seconds: float) -> None:
        self._serializer = URLSafeTimedSerializer(key, salt=self._SALT)
        self._ttl = ttl_seconds

    def issue(self, customer_id: str) -> str:
        return self._serializer.dumps({"s": customer_id})

    def session_customer(self, token: str) -> str:
        """The session's customer id, or a new one when the token is absent, forged or expired."""
        if token:
            try:
                data = self._serializer.loads(token, max_age=self._ttl)  # type: ignore[arg-type]
            except BadData:
                data = None
            if isinstance(data, dict) and isinstance(data.get("s"), str) and data["s"].startswith("s_"):
                return str(data["s"])
        return "s_" + secrets.token_hex(16)
