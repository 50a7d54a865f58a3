"""The transcripts area as the app sees it: the store, archiving, and reading any chat's record."""

from dataclasses import dataclass

from redis.asyncio import Redis

from bridge.chats import ChatRepository
from bridge.config.root import BridgeConfig
from bridge.domain.chat import Chat
from bridge.domain.events import ChatEvent
from bridge.events.stream import ChatStream
from bridge.jobs import Jobs
from bridge.keys import Keys
from transcripts.archive import Archiver
from transcripts.context_card import ContextCards
from transcripts.store import TranscriptStore

ARCHIVE = "transcripts.jobs.archive_chat"


@dataclass
class Transcripts:
    store: TranscriptStore
    archiver: Archiver
    chats: ChatRepository
    stream: ChatStream
    cards: ContextCards

    async def record(self, chat_id: str) -> tuple[Chat, list[ChatEvent]] | None:
        """The live chat while Redis has it, else the archived one (StoreUnavailable if the store is down)."""
        chat = await self.chats.get(chat_id)
        if chat is not None:
            return chat, await self.stream.read_all(chat_id)
        archived = await self.store.load(chat_id)
        return (archived.chat, archived.events) if archived else None


def build_transcripts(config: BridgeConfig, redis: Redis, keys: Keys, chats: ChatRepository, stream: ChatStream,
                      jobs: Jobs) -> Transcripts:
    """Wires the store and the archiver; archives are scheduled as RQ jobs."""
    store = TranscriptStore(config.store_url, create_parent=not config.store.url)

    async def schedule(chat_id: str) -> None:
        await jobs.enqueue(ARCHIVE, chat_id, 0)

    keep = int(config.transcripts.keep_live_hours * 3600)
    archiver = Archiver(redis, keys, chats, stream, store, keep, schedule)
    return Transcripts(store=store, archiver=archiver, chats=chats, stream=stream,
                       cards=ContextCards(config, store))
