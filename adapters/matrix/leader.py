"""Only one process runs the Matrix sync loop (and drains the outboxes) when several share Redis.

A Redis lock with a TTL, renewed while held: a graceful stop releases it at once, and when the
holder dies its lock simply expires, so another process takes over within one TTL.
"""

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import LockError, RedisError

from adapters.matrix.client import stop_if_cancelled

log = logging.getLogger(__name__)


class Leadership:
    def __init__(self, redis: Redis, name: str, ttl: float = 30.0) -> None:
        self._lock = redis.lock(name, timeout=ttl, thread_local=False)
        self._ttl = ttl
        self.leading = False

    async def run(self, work: Callable[[], Coroutine[Any, Any, None]], stop: asyncio.Event) -> None:
        """Runs `work` whenever this process holds the lock, until `stop` is set."""
        while not stop.is_set():
            stop_if_cancelled()
            if await self._try_acquire():
                log.info("this process now runs the Matrix sync loop")
                await self._lead(work, stop)
            else:
                await _wait(stop, self._ttl / 3)

    async def _try_acquire(self) -> bool:
        try:
            return bool(await self._lock.acquire(blocking=False))
        except RedisError as exc:
            log.warning("leader lock unavailable: %s", exc)
            return False

    async def _lead(self, work: Callable[[], Coroutine[Any, Any, None]], stop: asyncio.Event) -> None:
        self.leading = True
        tasks = {asyncio.create_task(work(), name="matrix-work"),
                 asyncio.create_task(self._renew(), name="matrix-renew"),
                 asyncio.create_task(stop.wait(), name="matrix-stop")}
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            # Cancelled from outside (the process is going down hard): stop working, keep the lock to expire.
            self.leading = False
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                log.error("Matrix %s stopped", task.get_name(), exc_info=task.exception())
        try:
            await self._lock.release()
        except (LockError, RedisError):
            pass
        if not stop.is_set():
            await _wait(stop, 1.0)

    async def _renew(self) -> None:
        """Returns when the lock can no longer be proven ours, which ends the leadership."""
        while True:
            await asyncio.sleep(self._ttl / 3)
            try:
                await self._lock.reacquire()
            except (LockError, RedisError) as exc:
                log.error("lost the Matrix leader lock (%s); stopping the sync loop here", exc)
                return


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass
