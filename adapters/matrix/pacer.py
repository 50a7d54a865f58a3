"""Keeps the bot under the homeserver's message limit, which Synapse counts per user across all rooms.

A leaky bucket shaped like Synapse's own (`send_per_second`, `send_burst`) paces every post; when the
homeserver still answers M_LIMIT_EXCEEDED (another process, a restart with a full bucket), `hold`
makes every sender wait out its `retry_after_ms` before the next attempt.
"""

import asyncio
import time

from aiolimiter import AsyncLimiter


class Pacer:
    def __init__(self, per_second: float, burst: int) -> None:
        self._limiter = AsyncLimiter(burst, burst / per_second) if per_second > 0 else None
        self._hold_until = 0.0
        self.limit_hits = 0
        """How often the homeserver said M_LIMIT_EXCEEDED (shown on /readyz and in tests)."""

    async def acquire(self) -> None:
        """Waits until one more post is within the limit."""
        await self.wait_hold()
        if self._limiter is not None:
            await self._limiter.acquire()

    def hold(self, retry_after_ms: int) -> None:
        self.limit_hits += 1
        self._hold_until = max(self._hold_until, time.monotonic() + max(retry_after_ms, 100) / 1000)

    async def wait_hold(self) -> None:
        while (delay := self._hold_until - time.monotonic()) > 0:
            await asyncio.sleep(delay)
