"""Keeps the bot under the homeserver's message limit, which Synapse counts per user across all rooms.

A leaky bucket shaped like Synapse's own (`send_per_second`, `send_burst`) paces every post; when the
homeserver still answers M_LIMIT_EXCEEDED (another process, a restart with a full bucket), `hold`
makes every sender wait out its `retry_after_ms` before the next attempt. The homeserver's bucket is then
empty whatever ours says, so the sends after a hold go one pace slot apart until the homeserver's bucket would
have had time to fill again: released together, the waiting senders were refused again as a herd (130
refusals for 56 sends in the paced bench while chats opened).
"""

import asyncio
import time

from aiolimiter import AsyncLimiter


class Pacer:
    def __init__(self, per_second: float, burst: int) -> None:
        self._limiter = AsyncLimiter(burst, burst / per_second) if per_second > 0 else None
        self._hold_until = 0.0
        self._interval = 1 / per_second if per_second > 0 else 0.0
        self._refill = burst * self._interval
        self._next_slot = 0.0
        """After a hold: when the next send may go, one interval after the last (0: not spacing)."""
        self.limit_hits = 0
        """How often the homeserver said M_LIMIT_EXCEEDED (shown on /readyz and in tests)."""

    async def acquire(self) -> None:
        """Waits until one more post is within the limit."""
        await self.wait_hold()
        if self._limiter is not None:
            await self._limiter.acquire()
        await self._spaced()

    async def _spaced(self) -> None:
        now = time.monotonic()
        if not self._next_slot or now > self._next_slot + self._refill:
            self._next_slot = 0.0  # the homeserver's bucket has refilled since: bursts are fine again
            return
        at = max(now, self._next_slot)
        self._next_slot = at + self._interval
        if at > now:
            await asyncio.sleep(at - now)

    def hold(self, retry_after_ms: int) -> None:
        self.limit_hits += 1
        self._hold_until = max(self._hold_until, time.monotonic() + max(retry_after_ms, 100) / 1000)
        if self._interval:
            self._next_slot = max(self._next_slot, self._hold_until)

    async def wait_hold(self) -> None:
        while (delay := self._hold_until - time.monotonic()) > 0:
            await asyncio.sleep(delay)
