"""The routing loops every `serve` process runs: position announcements and the timer sweep.

Position announcing takes a short Redis lease so one process does it at a time; the sweep is
idempotent, so every process may run it (it only fires timers whose RQ job is overdue). Every
ARM_IDLE_EVERY seconds one process (whichever takes the turn) arms the idle timer of any open chat
that lacks one, so no chat stays open for good.
"""

import asyncio
import logging
import secrets

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from routing.router import Router

log = logging.getLogger(__name__)
TICK_SECONDS = 1.0
SWEEP_EVERY = 5.0
LEASE_MS = 5000
ARM_IDLE_EVERY = 600


async def run_routing_loops(router: Router, stop: asyncio.Event) -> None:
    last_sweep = 0.0
    lease = Lease(router.redis, router.keys.lock("routing:positions"))
    while not stop.is_set():
        try:
            if await lease.hold(LEASE_MS):
                await router.positions.tick()
            if router.clock() - last_sweep >= SWEEP_EVERY:
                last_sweep = router.clock()
                await router.sweep()
                if await router.redis.set(router.keys.lock("routing:arm-idle"), "1", nx=True, ex=ARM_IDLE_EVERY):
                    if armed := await router.arm_idle_timers():
                        log.info("armed the customer-idle timer of %d open chat(s) that had none", armed)
        except (RedisConnectionError, RedisTimeoutError, OSError):
            log.warning("routing loops lost Redis; retrying")
        except Exception:  # a bug in one tick must not stop routing's timers for good
            log.exception("routing loop tick failed")
        try:
            await asyncio.wait_for(stop.wait(), TICK_SECONDS)
        except TimeoutError:
            pass


class Lease:
    """A short renewable lease so one process at a time runs a periodic job."""

    def __init__(self, redis: Redis, key: str) -> None:
        self._redis = redis
        self._key = key
        self._token = secrets.token_hex(8)

    async def hold(self, ms: int) -> bool:
        """True while this process holds the lease (taken or renewed for `ms`)."""
        if await self._redis.set(self._key, self._token, nx=True, px=ms):
            return True
        if await self._redis.get(self._key) == self._token:
            await self._redis.pexpire(self._key, ms)
            return True
        return False
