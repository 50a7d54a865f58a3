"""Shares the chats out between the `serve` processes on one Redis, so each chat's work is done by one.

Every process hears every change (the feed is a broadcast), but only the owner of a chat delivers it,
archives it and suggests replies for it: the others skip it without a Redis call. Ownership is
rendezvous hashing over the live members, so when a process joins or leaves only its share moves, and
each process works it out alone from the same member list. Members keep a heartbeat in a sorted set;
one that stops beating drops out after `TTL_SECONDS`, and the others catch up on the chats it had.
The per-chat delivery lease stays the guard: while two views of the members differ for a moment, two
owners may wake for a chat, and one of them waits.
"""

import asyncio
import logging
import secrets
import time
import zlib
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bridge.keys import Keys

log = logging.getLogger(__name__)
BEAT_SECONDS = 2.0
TTL_SECONDS = 8.0


def owner(members: tuple[str, ...], entity_id: str) -> str:
    """The member with the highest score for this entity (rendezvous hashing; crc32 is stable across processes)."""
    return max(members, key=lambda m: zlib.crc32(f"{m}/{entity_id}".encode()))


class Shards:
    def __init__(self, redis: Redis, keys: Keys, member: str | None = None) -> None:
        self._redis = redis
        self._key = keys.serve_members
        self.member = member or secrets.token_hex(6)
        self.members: tuple[str, ...] = ()
        """Empty until `join`: a process on its own (tests, jobs) owns everything."""

    def owns(self, entity_id: str) -> bool:
        return not self.members or owner(self.members, entity_id) == self.member

    async def join(self) -> bool:
        """Beats once and reads who is live; True when the members changed."""
        now = time.time()
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(self._key, {self.member: now + TTL_SECONDS})
            pipe.zremrangebyscore(self._key, "-inf", now)
            pipe.zrange(self._key, 0, -1)
            *_, live = await pipe.execute()
        members = tuple(sorted(live))
        changed, self.members = members != self.members, members
        return changed

    async def run(self, stop: asyncio.Event, on_moved: Callable[[], Awaitable[None]]) -> None:
        """Beats until `stop`; `on_moved` runs after the members change (chats may have come to us)."""
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), BEAT_SECONDS)
                break
            except TimeoutError:
                pass
            try:
                if await self.join():
                    log.info("serve processes now %d; taking up this one's share of the chats", len(self.members))
                    await on_moved()
            except (RedisError, OSError) as exc:
                log.warning("serve heartbeat failed (%s); trying again", exc)

    async def leave(self) -> None:
        """A clean stop hands the share over at the others' next beat, not after the heartbeat runs out."""
        try:
            await self._redis.zrem(self._key, self.member)
        except (RedisError, OSError):
            log.warning("could not leave the serve members; the others notice in %ss", TTL_SECONDS)
