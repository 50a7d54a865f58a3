"""A Redis stream worked through a consumer group, for work that must be done once by one of many processes.

Each entry goes to one consumer and stays pending until that consumer acknowledges it. An entry left
pending (its consumer died, or its work failed) is claimed by another consumer once it has been idle long
enough (XAUTOCLAIM); Redis counts the deliveries, which is what bounds the retries.
"""

import os
import secrets
import socket

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from bridge.redis_text import encodable, streams_read

Entry = tuple[str, dict[str, str]]
"""A stream entry: its id and its fields."""


def consumer_name() -> str:
    """Unique per process, and readable in XINFO: host, pid and a little randomness (pids are reused)."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


class WorkStream:
    def __init__(self, redis: Redis, key: str, group: str, consumer: str = "") -> None:
        self._redis = redis
        self.key = key
        self.group = group
        self.consumer = consumer or consumer_name()

    async def add(self, fields: dict[str, str], maxlen: int, approximate: bool = False) -> str:
        return str(await self._redis.xadd(self.key, encodable(fields), maxlen=maxlen, approximate=approximate))

    async def ensure_group(self) -> None:
        """Creates the group (and the stream) reading from the start; an existing group is kept as it is."""
        try:
            await self._redis.xgroup_create(self.key, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def read_new(self, count: int = 50, block_ms: int | None = None) -> list[Entry]:
        """Entries no consumer of the group has seen yet; they are pending for this one from now on."""
        rows = await self._redis.xreadgroup(self.group, self.consumer, {self.key: ">"}, count=count, block=block_ms)
        return [entry for _stream, entries in streams_read(rows or []) for entry in entries]

    async def claim(self, min_idle_ms: int, count: int = 50) -> list[Entry]:
        """Takes over entries pending for at least `min_idle_ms` with any consumer (this one included)."""
        _next, entries, *_deleted = await self._redis.xautoclaim(
            self.key, self.group, self.consumer, min_idle_time=min_idle_ms, start_id="0-0", count=count)
        return entries

    async def deliveries(self, entry_id: str) -> int:
        """How many times the entry was handed to a consumer; 0 when it is no longer pending."""
        pending = await self._redis.xpending_range(self.key, self.group, entry_id, entry_id, 1)
        return int(pending[0]["times_delivered"]) if pending else 0

    async def ack(self, entry_id: str, delete: bool = False) -> None:
        """Done with the entry; `delete` also removes it from the stream (for entries that carry a payload)."""
        await self._redis.xack(self.key, self.group, entry_id)
        if delete:
            await self._redis.xdel(self.key, entry_id)
