"""Suggested replies shown on their own: after each customer message in an active chat, the top three
go into the chat's thread as an internal notice (never to the customer), when the config asks for it.

Every serve process sees the same change; the notice's client message id (one per customer message)
makes the stream keep only the first, so the hint appears once.
"""

from bridge.chats import ChatRepository
from bridge.config.knowledge import KnowledgeConfig
from bridge.domain.chat import ChatState
from bridge.domain.events import AuthorKind, EventKind
from bridge.events.stream import ChatStream
from bridge.service import ChatService
from knowledge.base import KnowledgeBase
from knowledge.suggest import recent_customer_text, suggest

TOP = 3


class AutoSuggest:
    def __init__(self, config: KnowledgeConfig, knowledge: KnowledgeBase, service: ChatService,
                 chats: ChatRepository, events: ChatStream) -> None:
        self._config = config
        self._knowledge = knowledge
        self._service = service
        self._chats = chats
        self._events = events

    async def on_chat_change(self, chat_id: str) -> None:
        if not self._config.suggest_automatically:
            return
        last = await self._events.get(chat_id, await self._events.last_id(chat_id))
        if last is None or last.kind != EventKind.MESSAGE or last.author.kind != AuthorKind.CUSTOMER:
            return
        chat = await self._chats.get(chat_id)
        if chat is None or chat.state != ChatState.ACTIVE:
            return
        events = await self._events.read_all(chat_id)
        found = await suggest(self._knowledge, recent_customer_text(events, self._config.suggestion_messages),
                              chat.queue, TOP)
        if not found:
            return
        actions = [{"label": f"{'Phrase' if s.kind == 'phrase' else 'Article'}: {s.title}",
                    "command": f"csr phrase {chat.id} {s.ref}" if s.kind == "phrase"
                    else f"csr article {chat.id} send {s.ref}"} for s in found]
        lines = "\n".join(f"{i}. {a['label']} (`{a['command']}`)" for i, a in enumerate(actions, 1))
        await self._service.suggested_replies(chat.id, last.id, f"Suggested replies:\n{lines}",
                                                {"suggestions": actions, "for_event": last.id})
