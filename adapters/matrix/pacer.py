"""Keeps the bot under the homeserver's message limit, which Synapse counts per user across all rooms.

One bucket shaped like Synapse's own (`send_per_second`, `send_burst`) paces every send. When the homeserver
still answers M_LIMIT_EXCEEDED (another process, a restart, the bot's joins and room creations, which Synapse
counts too), its bucket is full whatever ours says: `hold` fills ours to match, so the sends after it go one
pace slot apart, refused ones included, and the burst comes back only as the homeserver's bucket drains.

Seen in the paced bench: waiting senders released together when a hold ended were refused again as a herd
(130 refusals for 56 sends while chats opened); and a first fix that spaced sends after a hold, until a pause
as long as the whole bucket's refill, never ended it under steady traffic, so the bot lost its burst for good.
"""

import asyncio
import time

LEEWAY = 0.5
"""Seconds of the burst left unused. Synapse counts a send when it arrives, the pacer when it lets it go; a
send that arrives sooner after its predecessor than they were let go (a busy homeserver slowed the one before)
finds a full bucket unless the pacer leaves this much room (capped at half a slot)."""


class Pacer:
    def __init__(self, per_second: float, burst: int) -> None:
        self._interval = 1 / per_second if per_second > 0 else 0.0
        self._ahead = max((max(burst, 1) - 1) * self._interval - min(LEEWAY, self._interval / 2), 0.0)
        """How far the bucket's drain time may run ahead of now when a send goes: the burst less that send, less
        the leeway."""
        self._empty_at = 0.0
        """When the bucket, as the homeserver fills it, is empty again; each send adds one interval."""
        self._hold_until = 0.0
        self._turn = asyncio.Lock()
        """One sender waits for the next slot at a time, in order, so a hold that comes meanwhile moves it."""
        self.limit_hits = 0
        """How often the homeserver said M_LIMIT_EXCEEDED (shown on /readyz and in tests)."""

    async def acquire(self) -> None:
        """Waits until one more send is within the limit, and counts it."""
        async with self._turn:
            while (delay := self._next_slot() - time.monotonic()) > 0:
                await asyncio.sleep(delay)
            self._empty_at = max(self._empty_at, time.monotonic()) + self._interval

    def _next_slot(self) -> float:
        return max(self._hold_until, self._empty_at - self._ahead)

    def hold(self, retry_after_ms: int) -> None:
        """The homeserver refused a send: its bucket is full until `retry_after_ms` from now, and so is ours."""
        self.limit_hits += 1
        self._hold_until = max(self._hold_until, time.monotonic() + max(retry_after_ms, 100) / 1000)
        self._empty_at = max(self._empty_at, self._hold_until + self._ahead)
