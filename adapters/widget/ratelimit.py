"""Rate limits kept in Redis, so several `serve` processes behind a load balancer agree.

A fixed window per (scope, subject): simple, one round trip, and good enough to stop floods;
a refused call learns how long to wait (Retry-After).
"""

import math

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.types import ASGIApp, Receive, Scope, Send

from adapters.widget.errors import rate_limited
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


class RateLimiter:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._keys = keys
        self._hit = redis.register_script(_HIT)

    async def wait_needed(self, scope: str, subject: str, limit: int, window_seconds: float) -> int:
        """Counts one call; 0 when allowed, else the whole seconds until the window reopens."""
        return seconds_to_wait(await self._count(scope, subject, limit, window_seconds))

    async def count_in(self, pipe: Pipeline, scope: str, subject: str, limit: int, window_seconds: float) -> None:
        """Counts one call in the caller's pipeline (one round trip for all); `seconds_to_wait` reads its result."""
        await self._count(scope, subject, limit, window_seconds, pipe)

    async def _count(self, scope: str, subject: str, limit: int, window_seconds: float,
                     pipe: Pipeline | None = None) -> int | None:
        return await self._hit(keys=[self._keys.rate(scope, subject)], args=[limit, int(window_seconds * 1000)],
                               client=pipe)

    async def check(self, scope: str, subject: str, limit: int, window_seconds: float, what: str) -> None:
        """Raises the API's 429 error (with Retry-After) when the limit is used up."""
        wait = await self.wait_needed(scope, subject, limit, window_seconds)
        if wait:
            raise rate_limited(wait, what)


def seconds_to_wait(ttl_ms: int | None) -> int:
    return math.ceil(int(ttl_ms) / 1000) if ttl_ms else 0


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


class AddressLimit:
    """Counts every API call and WebSocket connect per client address (CORS preflights excepted)."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter, per_minute: int) -> None:
        self._app = app
        self._limiter = limiter
        self._per_minute = per_minute

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and scope.get("method") != "OPTIONS":
            try:
                wait = await self._limiter.wait_needed("addr", client_address(scope), self._per_minute, 60)
            except (RedisConnectionError, RedisTimeoutError):
                wait = 0  # Redis is away: the handler's own read fails next, and answers 503 in the API's shape
            if wait:
                if scope["type"] == "websocket":
                    await receive()
                    await send({"type": "websocket.close", "code": 1013})
                    return
                await rate_limited(wait, "requests from this address").response()(scope, receive, send)
                return
        await self._app(scope, receive, send)
