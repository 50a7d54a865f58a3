"""A snapshot of what Redis holds, to show that a refused request changed nothing.

Bookkeeping that any request may touch (rate-limit counters, the change feed, handled-event marks,
locks and leases, RQ's own keys) is left out; everything the bridge keeps about chats, offers and CSRs is in.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis

from bridge.events.delivery import LINGER_SECONDS

BOOKKEEPING = (":rate:", ":changes", ":seen:", ":lock:", ":lease", "rq:", ":errors:", ":routing:dirty")


async def redis_state(redis: Redis) -> dict[str, Any]:
    state: dict[str, Any] = {}
    async for key in redis.scan_iter(count=1000):
        if any(part in key for part in BOOKKEEPING):
            continue
        kind = await redis.type(key)
        if kind == "string":
            state[key] = await redis.get(key)
        elif kind == "hash":
            state[key] = await redis.hgetall(key)
        elif kind == "list":
            state[key] = await redis.lrange(key, 0, -1)
        elif kind == "set":
            state[key] = sorted(await redis.smembers(key))
        elif kind == "zset":
            state[key] = await redis.zrange(key, 0, -1, withscores=True)
        elif kind == "stream":
            state[key] = await redis.xrange(key)
    return state


async def settled_state(redis: Redis, settle: Callable[[], Awaitable[None]], quiet: float = LINGER_SECONDS + 0.5,
                        within: float = 15.0) -> dict[str, Any]:
    """The state once `settle` (waiting out the bridge's own work) leaves it unchanged for `quiet` seconds:
    work started before the snapshot (a delivery the change feed wakes a moment later, a home tab
    refresh) lands first, so only the request under test can make two snapshots differ. Delivery writes
    its last cursor when it gives a quiet chat's lease back, `LINGER_SECONDS` after its last post."""
    await settle()
    state = await redis_state(redis)
    async with asyncio.timeout(within):
        while True:
            await asyncio.sleep(quiet)
            await settle()
            again = await redis_state(redis)
            if again == state:
                return state
            state = again
