"""Where a report's chats come from: the SQL archive for closed chats, and for chats not archived yet
(open, or closed moments ago) their live event streams, found through the routing event feed."""

from bridge.app import BridgeApp
from bridge.clock import now
from bridge.domain.chat import Chat
from bridge.domain.events import ChatEvent, EventKind
from bridge.redis_text import stream_rows
from reports.feed import entries_since
from reports.history import ROUTING_KINDS, ChatHistory, Step


def rating_of(events: list[ChatEvent]) -> int | None:
    scores = [e.data.get("score") for e in events if e.kind == EventKind.RATING]
    return scores[-1] if scores and isinstance(scores[-1], int) else None


def history_of(chat: Chat, events: list[ChatEvent], rating: int | None) -> ChatHistory:
    steps = tuple(Step(e.kind.value, e.ts, e.data) for e in events if e.kind.value in ROUTING_KINDS)
    return ChatHistory(chat_id=chat.id, queue=chat.queue, steps=steps, rating=rating)


async def histories(app: BridgeApp, since: float) -> list[ChatHistory]:
    """Every chat with routing activity at or after `since` (StoreUnavailable when the archive is down)."""
    found: dict[str, ChatHistory] = {}
    live_for = app.config.transcripts.keep_live_hours * 3600
    async for record in app.transcripts.store.closed_since(since):
        rating = rating_of(record.events)
        if rating is None and record.archived_at >= now() - live_for:
            rating = await _late_rating(app, record.chat.id)
        found[record.chat.id] = history_of(record.chat, record.events, rating)
    live = set()
    async for entry in entries_since(app.redis, app.keys, since):
        if entry.chat_id and entry.chat_id not in found:
            live.add(entry.chat_id)
    for chat_id in sorted(live):
        chat = await app.chats.get(chat_id)
        if chat is not None:
            events = await app.stream.read_all(chat_id)
            found[chat_id] = history_of(chat, events, rating_of(events))
    return list(found.values())


async def _late_rating(app: BridgeApp, chat_id: str) -> int | None:
    """A rating given after the chat was archived is only in its live stream, near the end."""
    rows = await app.redis.xrevrange(app.keys.chat_events(chat_id), count=5)
    return rating_of([ChatEvent.model_validate_json(fields["e"]).model_copy(update={"chat_id": chat_id})
                      for _, fields in stream_rows(rows)])
