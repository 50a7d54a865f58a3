"""Where a report's chats come from: the SQL archive for closed chats, and for chats not archived yet
(open, or closed moments ago) their live event streams, found through the routing event feed."""

from bridge.chats import ChatRepository
from bridge.clock import now
from bridge.domain.chat import Chat
from bridge.domain.events import AuthorKind, ChatEvent, EventKind
from bridge.events.stream import ChatStream
from reports.feed import RoutingFeed
from reports.history import REPLY, ROUTING_KINDS, ChatHistory, Step
from transcripts.store import TranscriptStore


def rating_of(events: list[ChatEvent]) -> int | None:
    scores = [e.data.get("score") for e in events if e.kind == EventKind.RATING]
    return scores[-1] if scores and isinstance(scores[-1], int) else None


def _step(e: ChatEvent) -> Step | None:
    if e.kind.value in ROUTING_KINDS:
        return Step(e.kind.value, e.ts, e.data)
    if e.data.get("cobrowse") == "started":
        return Step("cobrowse", e.ts, {})
    if e.kind == EventKind.MESSAGE and e.author.kind == AuthorKind.AGENT and not e.internal:
        return Step(REPLY, e.ts, {})
    return None


def history_of(chat: Chat, events: list[ChatEvent], rating: int | None) -> ChatHistory:
    steps = tuple(s for s in (_step(e) for e in events) if s is not None)
    return ChatHistory(chat_id=chat.id, queue=chat.queue, steps=steps, rating=rating, tags=tuple(chat.tags),
                       outcome=chat.outcome)


class HistorySources:
    """`keep_live_seconds`: how long a chat's live stream outlives its archive (a late rating is only there)."""

    def __init__(self, store: TranscriptStore, chats: ChatRepository, stream: ChatStream, feed: RoutingFeed,
                 keep_live_seconds: float) -> None:
        self._store = store
        self._chats = chats
        self._stream = stream
        self._feed = feed
        self._keep_live = keep_live_seconds

    async def histories(self, since: float) -> list[ChatHistory]:
        """Every chat with routing activity at or after `since` (StoreUnavailable when the archive is down)."""
        found: dict[str, ChatHistory] = {}
        async for record in self._store.closed_since(since):
            rating = rating_of(record.events)
            if rating is None and record.archived_at >= now() - self._keep_live:
                rating = await self._late_rating(record.chat.id)
            found[record.chat.id] = history_of(record.chat, record.events, rating)
        live = set()
        async for entry in self._feed.entries_since(since):
            if entry.chat_id and entry.chat_id not in found:
                live.add(entry.chat_id)
        for chat_id in sorted(live):
            chat = await self._chats.get(chat_id)
            if chat is not None:
                events = await self._stream.read_all(chat_id)
                found[chat_id] = history_of(chat, events, rating_of(events))
        return list(found.values())

    async def _late_rating(self, chat_id: str) -> int | None:
        """A rating given after the chat was archived is only in its live stream, near the end."""
        return rating_of(await self._stream.read_latest(chat_id, 5))
