"""`[redis] wait_replicas`: a write that must survive a failover is followed by WAIT on the connection that made
it, so the caller goes on (tells a sender "stored", posts to a platform) only once replicas hold it."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import TimeoutError as RedisTimeoutError


class NotReplicated(RedisTimeoutError):
    """Fewer replicas than asked confirmed a write in time: the caller treats it as Redis being away (the widget
    answers 503, a Slack event is redelivered, a delivery tries again later), and its retry is idempotent."""


@dataclass(frozen=True)
class ReplicaWait:
    replicas: int = 0
    timeout_ms: int = 1000

    async def run(self, redis: Redis, script: AsyncScript, keys: Sequence[str], args: Sequence[str | int]) -> Any:
        """The script's result; with `replicas`, the script and WAIT share one pipeline (one connection: WAIT
        counts the replicas holding that connection's last write) and a shortfall raises NotReplicated."""
        if not self.replicas:
            return await script(keys=keys, args=args)
        async with redis.pipeline(transaction=False) as pipe:
            await script(keys=keys, args=args, client=pipe)
            pipe.execute_command("WAIT", self.replicas, self.timeout_ms)
            result, acked = await pipe.execute()
        if int(acked) < self.replicas:
            raise NotReplicated(f"{acked} of {self.replicas} replicas confirmed the write within {self.timeout_ms} ms")
        return result
