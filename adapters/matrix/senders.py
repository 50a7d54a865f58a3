"""Drains the room outboxes on the sync leader: one task per room keeps that room's posts in order,
and the shared pacer keeps the bot as a whole under the homeserver's limit.

The pacer is passed before a batch is taken, so messages that arrive while the budget is spent
leave together as one post. A post the homeserver refuses for good stays queued (never dropped),
is reported on /readyz, and is retried slowly until someone fixes the room.
"""

import asyncio
import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from adapters.matrix.client import TRANSIENT_ERRORS, MatrixError, stop_if_cancelled
from adapters.matrix.compose import Composer
from adapters.matrix.outbox import Outbox
from adapters.matrix.pacer import Pacer
from adapters.matrix.poster import BACKOFF, Poster
from bridge.keys import Keys

log = logging.getLogger(__name__)
REFUSED_RETRY_SECONDS = 30.0
IDLE_RECHECK_SECONDS = 30.0


class OutboxSenders:
    def __init__(self, outbox: Outbox, poster: Poster, pacer: Pacer, composer: Composer, redis: Redis,
                 keys: Keys) -> None:
        self._outbox = outbox
        self._poster = poster
        self._pacer = pacer
        self._composer = composer
        self._redis = redis
        self._keys = keys
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._wakes: dict[str, asyncio.Event] = {}
        self._active = False
        self.sent = 0

    async def run(self) -> None:
        """Runs while this process leads: resumes every room with queued posts, then serves wake-ups."""
        self._active = True
        try:
            for room in await self._outbox.rooms():
                self.wake(room)
            await asyncio.Event().wait()
        finally:
            self._active = False
            tasks = list(self._tasks.values())
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._tasks.clear()
            self._wakes.clear()

    def wake(self, room_id: str) -> None:
        if not self._active:
            return
        if room_id in self._tasks:
            self._wakes[room_id].set()
            return
        self._wakes[room_id] = asyncio.Event()
        self._tasks[room_id] = asyncio.create_task(self._drain(room_id), name=f"matrix-outbox-{room_id}")

    async def _drain(self, room_id: str) -> None:
        wake = self._wakes[room_id]
        failures = 0
        while True:
            stop_if_cancelled()
            wake.clear()
            try:
                if not await self._outbox.pending(room_id):
                    await _wait(wake, IDLE_RECHECK_SECONDS)
                    continue
                await self._pacer.acquire()
                batch = await self._outbox.take(room_id)
                if batch is None:
                    continue
                event_type, content = await self._composer.compose(batch)
                event_id = await self._poster.send(room_id, content, batch.tx_id, event_type, paced=False)
                await self._outbox.done(batch)
                await self._composer.sent(batch, event_id)
                self.sent += 1
                failures = 0
                await self._redis.hdel(self._keys.platform_errors("matrix"), f"outbox:{room_id}")
            except MatrixError as exc:
                if exc.transient:
                    failures += 1
                    await asyncio.sleep(BACKOFF[min(failures - 1, len(BACKOFF) - 1)])
                    continue
                log.error("the homeserver refused a post to %s: %s; it stays queued", room_id, exc)
                await self._report(room_id, f"posts to {room_id} are refused ({exc.errcode}); they wait in the outbox")
                await asyncio.sleep(REFUSED_RETRY_SECONDS)
            except (*TRANSIENT_ERRORS, RedisError) as exc:
                failures += 1
                delay = BACKOFF[min(failures - 1, len(BACKOFF) - 1)]
                log.warning("outbox of %s: %s; retrying in %ss", room_id, exc, delay)
                await asyncio.sleep(delay)

    async def _report(self, room_id: str, text: str) -> None:
        try:
            await self._redis.hset(self._keys.platform_errors("matrix"), f"outbox:{room_id}", text)
        except RedisError:
            pass


async def _wait(event: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(event.wait(), seconds)
    except TimeoutError:
        pass
