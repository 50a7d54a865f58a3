"""`[redis] wait_replicas`: a write that must survive a failover is followed by WAIT on the connection that made
it, so the caller goes on (tells a sender "stored", posts to a platform) only once replicas hold it."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redis.asyncio.client import Pipeline
from redis.commands.core import AsyncScript
from redis.exceptions import TimeoutError as RedisTimeoutError

from bridge.redis_batch import RedisBatch


class NotReplicated(RedisTimeoutError):
    """Fewer replicas than asked confirmed a write in time: the caller treats it as Redis being away (the widget
    answers 503, a Slack event is redelivered, a delivery tries again later), and its retry is idempotent."""


@dataclass(frozen=True)
class ReplicaWait:
    replicas: int = 0
    timeout_ms: int = 1000

    async def run(self, batch: RedisBatch, script: AsyncScript, keys: Sequence[str], args: Sequence[str | int]) -> Any:
        """The script's result, run as `execute` runs a pipeline."""
        pipe = batch.pipeline()
        await script(keys=keys, args=args, client=pipe)
        return (await self.execute(batch, pipe))[0]

    async def execute(self, batch: RedisBatch, pipe: Pipeline) -> list[Any]:
        """`pipe`'s results, run in the next batch; with `replicas`, in the next durable batch, WAIT following
        it on the same connection (WAIT counts the replicas holding everything written before it there), and a
        shortfall raises NotReplicated."""
        if not self.replicas:
            return await batch.execute(pipe)
        pipe.execute_command("WAIT", self.replicas, self.timeout_ms)
        *results, acked = await batch.durable.execute(pipe)
        if int(acked) < self.replicas:
            raise NotReplicated(f"{acked} of {self.replicas} replicas confirmed the write within {self.timeout_ms} ms")
        return results
