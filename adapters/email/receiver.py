"""The SMTP receiver for customers' emailed answers (aiosmtpd, on the serving event loop).

An answer is addressed to reply+CODE@domain, the code signed for one chat. Whatever can't be filed is refused
during the SMTP conversation, so the customer's own mail server tells them and nothing is silently dropped:
an address that is not ours or has expired (550), a chat that ended or was erased (550, with what to do),
an email over the size limit (552, by aiosmtpd), an empty one (550). A redelivered email is stored once
(its Message-ID is the key); automatic replies (out of office) are kept out of the chat, so no mail loop.
"""

import logging
from typing import Any

from bridge.chats import ChatRepository
from bridge.domain.chat import ChatState
from bridge.domain.events import Origin
from bridge.ports import EventReader
from bridge.service import ChatClosed, ChatService
from followup.inbound import read_answer
from followup.links import BadReplyToken, ReplyLinks

log = logging.getLogger(__name__)
PREFIX = "reply+"


class AnswerHandler:
    """aiosmtpd's handler: its hooks are named handle_<COMMAND>."""

    def __init__(self, links: ReplyLinks, domain: str, chats: ChatRepository, events: EventReader,
                 service: ChatService, max_chars: int, new_chat_url: str) -> None:
        self._links = links
        self._domain = domain.lower()
        self._chats = chats
        self._events = events
        self._service = service
        self._max_chars = max_chars
        self._new_chat_url = new_chat_url

    async def _chat_of(self, address: str) -> tuple[str, str]:
        """(chat id, "") for an address that names an open chat, else ("", the SMTP refusal)."""
        local, _, domain = address.rpartition("@")
        if domain.lower() != self._domain or not local.lower().startswith(PREFIX):
            return "", "550 5.1.1 No such mailbox here"
        try:
            chat_id = self._links.chat_of_code(local[len(PREFIX):])
        except BadReplyToken:
            return "", "550 5.1.1 This reply address is not valid or has expired; please start a new chat"
        chat = await self._chats.get(chat_id)
        if chat is None or chat.state == ChatState.CLOSED:
            return "", f"550 5.1.1 This conversation has ended; please start a new chat at {self._new_chat_url}"
        return chat_id, ""

    async def handle_RCPT(self, _server: Any, _session: Any, envelope: Any, address: str,  # noqa: N802 - aiosmtpd
                          _options: list[str]) -> str:
        chat_id, refusal = await self._chat_of(address)
        if refusal:
            return refusal
        if envelope.rcpt_tos and (await self._chat_of(envelope.rcpt_tos[0]))[0] != chat_id:
            return "452 4.5.3 One conversation per email, please"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd
        chat_id, refusal = await self._chat_of(envelope.rcpt_tos[0])
        if refusal:
            return refusal
        raw = envelope.original_content or envelope.content
        answer = read_answer(raw if isinstance(raw, bytes) else str(raw).encode(), self._max_chars)
        client_id = f"email:{answer.key}"
        if await self._events.find_by_client_id(chat_id, client_id):
            return "250 OK (had it already)"
        if answer.automatic:
            log.info("automatic reply to chat %s kept out of the chat", chat_id)
            return "250 OK (automatic reply, not filed)"
        if not answer.text:
            return "550 5.6.0 The email has no text we could read; please write your answer in the email's body"
        text = answer.text + ("\n[…]" if answer.truncated else "")
        try:
            await self._service.customer_message(chat_id, text, client_msg_id=client_id,
                                                 origin=Origin(platform="email", event_id=answer.key))
        except ChatClosed:
            return f"550 5.1.1 This conversation has ended; please start a new chat at {self._new_chat_url}"
        log.info("emailed answer filed in chat %s", chat_id)
        return "250 Message accepted for delivery"
