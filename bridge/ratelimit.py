"""Rate limits kept in Redis, so several `serve` processes behind a load balancer agree.

A fixed window per (scope, subject): simple, one round trip, and good enough to stop floods;
a refused call learns how long to wait (Retry-After). Shared by the adapters (the widget API's
limits, the Slack route's refusals), which add their own answers to a call over the limit.
"""

import math

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bridge.keys import Keys

_HIT = """
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
if n > tonumber(ARGV[1]) then
  return math.max(ttl, 1)
end
return 0
"""

_LEFT = """
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n < tonumber(ARGV[1]) then
  return 0
end
return math.max(redis.call('PTTL', KEYS[1]), 1)
"""


class RateLimiter:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._keys = keys
        self._hit = redis.register_script(_HIT)
        self._left = redis.register_script(_LEFT)

    async def wait_needed(self, scope: str, subject: str, limit: int, window_seconds: float) -> int:
        """Counts one call; 0 when allowed, else the whole seconds until the window reopens."""
        return seconds_to_wait(await self._count(scope, subject, limit, window_seconds))

    async def count_in(self, pipe: Pipeline, scope: str, subject: str, limit: int, window_seconds: float) -> None:
        """Counts one call in the caller's pipeline (one round trip for all); `seconds_to_wait` reads its result."""
        await self._count(scope, subject, limit, window_seconds, pipe)

    async def wait_left(self, scope: str, subject: str, limit: int) -> int:
        """Counts nothing: 0 while the window has room, else the whole seconds until it reopens.

        For limits on what goes wrong (refused requests), counted only once a call has failed."""
        return seconds_to_wait(await self._left(keys=[self._keys.rate(scope, subject)], args=[limit]))

    async def _count(self, scope: str, subject: str, limit: int, window_seconds: float,
                     pipe: Pipeline | None = None) -> int | None:
        return await self._hit(keys=[self._keys.rate(scope, subject)], args=[limit, int(window_seconds * 1000)],
                               client=pipe)


def seconds_to_wait(ttl_ms: int | None) -> int:
    return math.ceil(int(ttl_ms) / 1000) if ttl_ms else 0
