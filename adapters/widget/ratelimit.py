"""The widget API's rate limits: its 429 answer and the per-address limit on every call.

The counting itself is the core's (bridge.ratelimit), shared with the other adapters.
"""

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.types import ASGIApp, Receive, Scope, Send

from adapters.widget.errors import rate_limited
from bridge.ratelimit import RateLimiter as CountingLimiter


class RateLimiter(CountingLimiter):
    """The core's Redis counter, plus the widget API's answer to a call over its limit."""

    async def check(self, scope: str, subject: str, limit: int, window_seconds: float, what: str) -> None:
        """Raises the API's 429 error (with Retry-After) when the limit is used up."""
        wait = await self.wait_needed(scope, subject, limit, window_seconds)
        if wait:
            raise rate_limited(wait, what)


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
