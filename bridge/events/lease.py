"""The lease one process holds on a chat while it delivers that chat's events.

Delivery progress (the cursor, and the event being attempted) is written only through the lease, in
scripts that first check the lease is still ours: a process that stalled past the lease's life
and lost the chat to another can never move that other's cursor back.
"""

import asyncio
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError

from bridge.events.replicas import ReplicaWait
from bridge.events.stream import range_start
from bridge.redis_batch import RedisBatch
from bridge.redis_text import StreamRows, script_stream_rows

_MARK = files("bridge.events").joinpath("lease_mark.lua").read_text()
_CLAIM = files("bridge.events").joinpath("lease_claim.lua").read_text()
_RENEW = files("bridge.events").joinpath("lease_renew.lua").read_text()
log = logging.getLogger(__name__)


class LeaseLost(Exception):
    """The lease expired and may be someone else's: stop delivering this chat."""


def trying_field(sink: str) -> str:
    """The cursors hash's field naming the event being attempted in a sink (its cursor's field is the sink)."""
    return f"{sink}|trying"


@dataclass(frozen=True)
class Claim:
    """Where a sink's delivery stands, written as its next events are read (`ChatLease.claim`): the cursor, and the
    first event after it as the one being attempted.

    Naming that event before knowing it will be posted is safe: every write of progress names as attempted the
    first event after the cursor it writes (a mark moves the cursor past the echoes before its event), so while
    an earlier attempt (a crash's, a failed post's) awaits its retry, the claim names that same event again."""

    sink: str
    cursor: str
    """The last event delivered there."""


class ChatLease:
    def __init__(self, batch: RedisBatch, lease_key: str, cursors_key: str, events_key: str, ttl: float,
                 replica_wait: ReplicaWait = ReplicaWait()) -> None:
        redis = self._redis = batch.redis
        self._batch = batch
        self._replica_wait = replica_wait
        self._keys = [lease_key, cursors_key]
        self._events_key = events_key
        self._ttl_ms = int(ttl * 1000)
        self._token = secrets.token_hex(8)
        self._mark = redis.register_script(_MARK)
        self._claim = redis.register_script(_CLAIM)
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

    async def claim(self, claim: Claim, count: int) -> StreamRows:
        """Up to `count` events of the sink after its cursor, `claim` written in the same step (lease_claim.lua)."""
        pipe = self._batch.pipeline()
        await self.claim_on(pipe, claim, count)
        return self.claimed((await self.execute(pipe, claim))[0])

    async def claim_on(self, pipe: Pipeline, claim: Claim, count: int) -> None:
        """Queues `claim` on a caller's pipeline, to run with `execute` and be read with `claimed`."""
        args: list[str | int] = [self._token, claim.sink, claim.cursor, range_start(claim.cursor), count,
                                 trying_field(claim.sink)]
        await self._claim(keys=[*self._keys, self._events_key], args=args, client=pipe)

    async def execute(self, pipe: Pipeline, claim: Claim | None) -> list[Any]:
        """Runs a pipeline; holding a claim, as `mark` runs alone (replicas hold the mark before the post it
        precedes)."""
        return await (self._replica_wait if claim else ReplicaWait()).execute(self._batch, pipe)

    def claimed(self, reply: Any) -> StreamRows:
        """The rows a claim read; LeaseLost when the lease was not ours and nothing was read or written."""
        if reply is None:
            raise LeaseLost(self._keys[0])
        return script_stream_rows(reply)

    async def keep_renewed(self, every: float) -> None:
        """Runs beside the delivery; ends with LeaseLost once the lease is gone. A Redis hiccup is tried
        again at the next tick (the lease outlives two missed renewals)."""
        while True:
            await asyncio.sleep(every)
            try:
                await self.renew()
            except (RedisError, OSError) as exc:
                log.warning("renewing %s failed (%s); trying again", self._keys[0], exc)
