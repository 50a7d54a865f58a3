"""Per-channel pace for posts: about `per_second` messages a channel, a short burst when it was quiet.

Slack allows roughly one message a second per channel and answers 429 beyond; pacing ourselves means
429 is the exception. When Slack still says slow down, the whole channel waits for Retry-After, so the
next message of a thread doesn't overtake the one being retried.
"""

import asyncio
import time

from aiolimiter import AsyncLimiter


class ChannelPacer:
    def __init__(self, per_second: float, burst: int) -> None:
        self._per_second = per_second
        self._burst = burst
        self._limiters: dict[str, AsyncLimiter] = {}
        self._resume_at: dict[str, float] = {}

    async def slot(self, channel: str) -> float:
        """Waits for this channel's turn; returns the seconds spent waiting on a Retry-After."""
        waited = 0.0
        while (delay := self._resume_at.get(channel, 0.0) - time.monotonic()) > 0:
            waited += delay
            await asyncio.sleep(delay)
        await self._limiter(channel).acquire()
        return waited

    def pause(self, channel: str, seconds: float) -> None:
        """Slack answered 429: nothing more goes to this channel for `seconds`."""
        resume = time.monotonic() + seconds
        self._resume_at[channel] = max(self._resume_at.get(channel, 0.0), resume)

    def _limiter(self, channel: str) -> AsyncLimiter:
        limiter = self._limiters.get(channel)
        if limiter is None:
            limiter = AsyncLimiter(self._burst, self._burst / self._per_second)
            self._limiters[channel] = limiter
        return limiter
