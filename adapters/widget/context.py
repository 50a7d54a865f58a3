"""What every widget endpoint shares: the core, the token signer, the limiter, and the session check."""

from dataclasses import dataclass

from starlette.requests import HTTPConnection

from adapters.widget.errors import ApiError
from adapters.widget.ratelimit import RateLimiter
from adapters.widget.socket_slots import SocketSlots
from adapters.widget.tokens import CustomerTokens, SessionTokens
from adapters.widget.wording import CustomerWords
from bridge.config.widget import WidgetConfig
from bridge.domain.chat import Chat
from bridge.events.receipts import ReadMarks
from bridge.events.typing import TypingSignals
from bridge.i18n import translator
from bridge.ports import Core
from knowledge.base import KnowledgeBase
from transcripts.service import Transcripts

TOKEN_SUBPROTOCOL = "token."
"""A WebSocket offers its token as the subprotocol `token.<token>` (browsers set no other header there)."""
SESSION_SCOPE = "session"
SESSION_ACTIONS = "messages in this chat"


@dataclass(frozen=True)
class WidgetContext:
    core: Core
    knowledge: KnowledgeBase
    transcripts: Transcripts
    tokens: SessionTokens
    customers: CustomerTokens
    limiter: RateLimiter
    slots: SocketSlots

    @property
    def config(self) -> WidgetConfig:
        return self.core.config.widget

    def words(self, language: str) -> CustomerWords:
        """`[widget.texts]` in a customer's language (a chat's stored one; empty: the config's default)."""
        default = self.core.config.languages.default
        return CustomerWords(self.config.texts, translator(language or default), default)

    def chat_words(self, chat: Chat) -> CustomerWords:
        return self.words(chat.customer.language)

    @property
    def typing(self) -> TypingSignals:
        return self.core.typing

    @property
    def reads(self) -> ReadMarks:
        return self.core.reads

    def session_chat_id(self, conn: HTTPConnection) -> str:
        """The chat id named in the path, if the caller's token (`presented_token`) was issued for exactly that chat."""
        token = presented_token(conn)
        if not token:
            raise ApiError(401, "missing_token", "Send the chat's session token as 'Authorization: Bearer ...'.")
        chat_id = self.tokens.chat_id(token)
        if chat_id != conn.path_params.get("chat_id"):
            raise ApiError(403, "wrong_chat", "This session token belongs to another chat.")
        return chat_id

    async def session_chat(self, conn: HTTPConnection) -> Chat:
        """The live chat the caller's token opens (see `session_chat_id`)."""
        chat = await self.core.chats.get(self.session_chat_id(conn))
        if chat is None:
            raise ApiError(404, "chat_not_found", "This chat no longer exists; start a new one.")
        return chat

    async def count_action(self, chat_id: str) -> None:
        """Per-session limit on what a customer can do (messages, files, escalations, ratings)."""
        await self.limiter.check(SESSION_SCOPE, chat_id, self.config.messages_per_minute, 60, SESSION_ACTIONS)


def presented_token(conn: HTTPConnection) -> str:
    """The session token as the client sent it: `Authorization: Bearer ...`; on a WebSocket the offered
    subprotocol `token.<token>`; else `?token=`, kept for <img> and download links and older widgets. A
    token in a URL reaches access logs on the way (ours redact it; a proxy's may not), so widget.js puts
    it in a URL only where a browser offers no header."""
    scheme, _, value = conn.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    for offered in conn.scope.get("subprotocols") or ():
        if offered.startswith(TOKEN_SUBPROTOCOL):
            return offered.removeprefix(TOKEN_SUBPROTOCOL)
    return conn.query_params.get("token", "")
