"""Reading the routing event feed (`Keys.routing_events`) by time.

The feed's stream ids are Redis server time and each entry's `ts` is the routing clock; a range is
taken by id (cheap, the stream is ordered) and then kept to entries whose `ts` is inside it.
"""

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bridge.keys import Keys
from bridge.redis_text import stream_rows

PAGE = 2000


@dataclass(frozen=True)
class FeedEntry:
    kind: str
    chat_id: str
    queue: str
    agent_id: str
    offer_id: str
    ts: float
    data: dict[str, Any]


def _entry(fields: dict[str, str]) -> FeedEntry:
    try:
        data = json.loads(fields.get("data") or "{}")
    except ValueError:
        data = {}
    return FeedEntry(kind=fields.get("kind", ""), chat_id=fields.get("chat", ""), queue=fields.get("queue", ""),
                     agent_id=fields.get("agent", ""), offer_id=fields.get("offer", ""),
                     ts=float(fields.get("ts") or 0), data=data if isinstance(data, dict) else {})


class RoutingFeed:
    """The routing event feed, read only."""

    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._key = keys.routing_events

    async def entries_since(self, since: float, kinds: set[str] | None = None) -> AsyncIterator[FeedEntry]:
        """Entries with `ts >= since`, oldest first, read a page at a time."""
        start = f"{max(int(since * 1000), 0)}-0"
        while True:
            rows = stream_rows(await self._redis.xrange(self._key, start, "+", count=PAGE))
            for _, fields in rows:
                entry = _entry(fields)
                if entry.ts >= since and (kinds is None or entry.kind in kinds):
                    yield entry
            if len(rows) < PAGE:
                return
            start = f"({rows[-1][0]}"
