"""Read marks: how far each side of a chat has read, for "Seen" in the widget and receipts in a thread.

Like typing, a mark is a live signal and never an event of the chat's stream: one small Redis hash per chat
(side -> the last event id that side has seen), moved only forward, and a `read:ID` change on the feed when
it moves, so every `serve` process shows the same. The widget sets the customer side; a CSR adapter that sees
its platform's receipts sets the agent side and follows the customer's with `feed.subscribe("read", handler)`.
"""

import re
from importlib.resources import files

from redis.asyncio import Redis

from bridge.events.feed import ChangeFeed
from bridge.events.stream import CHANGES_MAXLEN
from bridge.keys import Keys
from bridge.redis_text import text_hash

_MARK = files("bridge.events").joinpath("read_mark.lua").read_text()
SIDES = ("customer", "agent")
MARK_SECONDS = 30 * 86400
"""A mark outlives its chat's live stream; each move renews it."""
_STREAM_ID = re.compile(r"[0-9]{1,19}-[0-9]{1,19}")


class NotAnEvent(ValueError):
    """The id is no event of this chat's stream (malformed, another chat's, or not yet written)."""


class ReadMarks:
    def __init__(self, redis: Redis, keys: Keys, feed: ChangeFeed) -> None:
        self._redis = redis
        self._keys = keys
        self._feed = feed
        self._mark = redis.register_script(_MARK)

    async def mark(self, chat_id: str, side: str, event_id: str) -> None:
        """`side` has read up to `event_id`; an older mark than the one held changes nothing."""
        if side not in SIDES:
            raise ValueError(f"side must be one of {SIDES}")
        if _STREAM_ID.fullmatch(event_id) is None:
            raise NotAnEvent(event_id)
        k = self._keys
        moved = await self._mark(keys=[k.chat_reads(chat_id), k.chat_events(chat_id), k.changes],
                                 args=[side, event_id, chat_id, CHANGES_MAXLEN, MARK_SECONDS])
        if int(moved) < 0:
            raise NotAnEvent(event_id)

    async def current(self, chat_id: str) -> dict[str, str]:
        """Side -> the last event id that side has read (a side that has read nothing is absent)."""
        return text_hash(await self._redis.hgetall(self._keys.chat_reads(chat_id)))
