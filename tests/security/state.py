"""A snapshot of what Redis holds, to show that a refused request changed nothing.

Bookkeeping that any request may touch (rate-limit counters, the change feed, handled-event marks,
locks, RQ's own keys) is left out; everything the bridge keeps about chats, offers and CSRs is in.
"""

from typing import Any

from redis.asyncio import Redis

BOOKKEEPING = (":rate:", ":changes", ":seen:", ":lock:", "rq:", ":errors:", ":routing:dirty")


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
