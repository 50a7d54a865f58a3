"""Suggested replies shown on their own: after each customer message in an active chat, the top three
go into the chat's thread as an internal notice (never to the customer), when the config asks for it.

Every serve process sees the same change; the notice's client message id (one per customer message)
makes the stream keep only the first, so the hint appears once.
"""

from typing import TYPE_CHECKING

from bridge.domain.chat import ChatState
from bridge.domain.events import AuthorKind, EventKind
from knowledge.suggest import recent_customer_text, suggest

if TYPE_CHECKING:
    from bridge.app import BridgeApp

TOP = 3


class AutoSuggest:
    def __init__(self, app: "BridgeApp") -> None:
        self._app = app

    async def on_chat_change(self, chat_id: str) -> None:
        app = self._app
        if not app.config.knowledge.suggest_automatically:
            return
        last = await app.stream.get(chat_id, await app.stream.last_id(chat_id))
        if last is None or last.kind != EventKind.MESSAGE or last.author.kind != AuthorKind.CUSTOMER:
            return
        chat = await app.chats.get(chat_id)
        if chat is None or chat.state != ChatState.ACTIVE:
            return
        events = await app.stream.read_all(chat_id)
        found = await suggest(app.knowledge, recent_customer_text(events, app.config.knowledge.suggestion_messages),
                              chat.queue, TOP)
        if not found:
            return
        actions = [{"label": f"{'Phrase' if s.kind == 'phrase' else 'Article'}: {s.title}",
                    "command": f"csr phrase {chat.id} {s.ref}" if s.kind == "phrase"
                    else f"csr article {chat.id} send {s.ref}"} for s in found]
        lines = "\n".join(f"{i}. {a['label']} (`{a['command']}`)" for i, a in enumerate(actions, 1))
        await app.service.suggested_replies(chat.id, last.id, f"Suggested replies:\n{lines}",
                                            {"suggestions": actions, "for_event": last.id})
