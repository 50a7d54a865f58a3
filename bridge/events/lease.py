"""The lease one process holds on a chat while it delivers that chat's events.

Delivery progress (the cursor, and the event being attempted) is written only through the lease, in
one script that first checks the lease is still ours: a process that stalled past the lease's life
and lost the chat to another can never move that other's cursor back.
"""

import asyncio
import logging
import secrets
from collections.abc import Mapping
from importlib.resources import files

from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError

from bridge.events.replicas import ReplicaWait
from bridge.redis_batch import RedisBatch

_MARK = files("bridge.events").joinpath("lease_mark.lua").read_text()
_RENEW = files("bridge.events").joinpath("lease_renew.lua").read_text()
log = logging.getLogger(__name__)


class LeaseLost(Exception):
    """The lease expired and may be someone else's: stop delivering this chat."""


class ChatLease:
    def __init__(self, batch: RedisBatch, lease_key: str, cursors_key: str, ttl: float,
                 replica_wait: ReplicaWait = ReplicaWait()) -> None:
        redis = self._redis = batch.redis
        self._batch = batch
        self._replica_wait = replica_wait
        self._keys = [lease_key, cursors_key]
        self._ttl_ms = int(ttl * 1000)
        self._token = secrets.token_hex(8)
        self._mark = redis.register_script(_MARK)
        self._renew = redis.register_script(_RENEW)

    async def try_acquire(self) -> bool:
        return bool(await self._redis.set(self._keys[0], self._token, nx=True, px=self._ttl_ms))

    async def remaining(self) -> float:
        """Seconds until the current holder's lease runs out unless renewed (0 when free)."""
        return max(int(await self._redis.pttl(self._keys[0])), 0) / 1000

    async def renew(self) -> None:
        if not await self._renew(keys=self._keys[:1], args=[self._token, self._ttl_ms]):
            raise LeaseLost(self._keys[0])

    async def mark(self, fields: Mapping[str, str], release: bool = False, pipe: Pipeline | None = None) -> None:
        """Writes cursor fields ('' deletes one); queued on `pipe` when given (the caller checks its result).
        Otherwise, with `[redis] wait_replicas`, replicas hold the mark before it returns: the mark naming the
        event about to be posted must survive a failover, or the new primary's holder posts it again unwarned."""
        args = [self._token, "1" if release else "0", *(x for kv in fields.items() for x in kv)]
        if pipe is not None:
            await self._mark(keys=self._keys, args=args, client=pipe)
        elif not await self._replica_wait.run(self._batch, self._mark, self._keys, args):
            raise LeaseLost(self._keys[0])

    async def keep_renewed(self, every: float) -> None:
        """Runs beside the delivery; ends with LeaseLost once the lease is gone. A Redis hiccup is tried
        again at the next tick (the lease outlives two missed renewals)."""
        while True:
            await asyncio.sleep(every)
            try:
                await self.renew()
            except (RedisError, OSError) as exc:
                log.warning("renewing %s failed (%s); trying again", self._keys[0], exc)
