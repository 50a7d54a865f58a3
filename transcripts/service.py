"""The transcripts area as the app sees it: the store, archiving, and reading any chat's record."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bridge.chats import ChatRepository
from bridge.domain.chat import Chat
from bridge.domain.events import ChatEvent
from bridge.events.stream import ChatStream
from transcripts.archive import Archiver
from transcripts.store import TranscriptStore

if TYPE_CHECKING:
    from bridge.app import BridgeApp


@dataclass
class Transcripts:
    store: TranscriptStore
    archiver: Archiver
    chats: ChatRepository
    stream: ChatStream

    async def record(self, chat_id: str) -> tuple[Chat, list[ChatEvent]] | None:
        """The live chat while Redis has it, else the archived one (StoreUnavailable if the store is down)."""
        chat = await self.chats.get(chat_id)
        if chat is not None:
            return chat, await self.stream.read_all(chat_id)
        archived = await self.store.load(chat_id)
        return (archived.chat, archived.events) if archived else None


def build_transcripts(app: "BridgeApp") -> Transcripts:
    """Wires the store and the archiver for one app; archives are scheduled as RQ jobs."""
    from transcripts.jobs import schedule_archive

    config = app.config
    store = TranscriptStore(config.store_url, create_parent=not config.store.url)

    async def schedule(chat_id: str) -> None:
        await schedule_archive(app, chat_id)

    keep = int(config.transcripts.keep_live_hours * 3600)
    archiver = Archiver(app.redis, app.keys, app.chats, app.stream, store, keep, schedule)
    return Transcripts(store=store, archiver=archiver, chats=app.chats, stream=app.stream)
