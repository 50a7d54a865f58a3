"""Group commit for Redis: the pipelines many chats queue at about the same time share one round trip.

Under load most of the hot path's cost is per round trip (redis-py checks a connection out, arms a
timeout, writes, parses, checks it back in), not per command. A caller fills a pipeline as usual and hands
it to `RedisBatch.execute` instead of executing it; pipelines handed in while a batch is in flight are sent
together, in the order they came, as soon as it returns. Each caller gets its own results and errors as its
own pipeline would have given them, and a lost connection fails every pipeline of the batch. Semantics are
those of a non-transactional pipeline: a WAIT a caller queued after its write still covers that write (it
counts the replicas holding everything written before it on the connection), and such writes go in a batch of
their own (`durable`). Blocking commands and MULTI transactions do not belong here.
"""

import asyncio
from functools import cached_property
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import NoScriptError

MOST_COMMANDS = 1000
"""A batch takes pipelines until it holds this many commands; the rest go in the next."""


class RedisBatch:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._waiting: list[tuple[Pipeline, asyncio.Future[list[Any]]]] = []
        self._sending = False
        self._task: asyncio.Task[None] | None = None
        self._loaded: set[str] = set()
        """Scripts (by sha) this batch saw Redis run: redis-py asks SCRIPT EXISTS before every pipeline holding a
        script, a round trip as dear as the batch; a batch asks only for scripts new to it."""

    @cached_property
    def durable(self) -> "RedisBatch":
        """The batch for writes followed by WAIT: a WAIT that blocks (a replica away) holds up only the writes
        waiting like it, not every chat's reads."""
        return RedisBatch(self.redis)

    def pipeline(self) -> Pipeline:
        """A pipeline to fill and hand to `execute` (never executed itself)."""
        return self.redis.pipeline(transaction=False)

    async def execute(self, pipe: Pipeline, raise_on_error: bool = True) -> list[Any]:
        """The results of `pipe`'s commands, run in the next batch."""
        future: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self._waiting.append((pipe, future))
        if not self._sending:
            self._sending = True
            asyncio.get_running_loop().call_soon(self._send_next)
        results = await future
        if raise_on_error:
            pipe.raise_first_error(pipe.command_stack, results)
        return results

    def _send_next(self) -> None:
        if not self._waiting:
            self._sending = False
            return
        taken, size = 0, 0
        while taken < len(self._waiting) and (not taken or size + len(self._waiting[taken][0]) <= MOST_COMMANDS):
            size += len(self._waiting[taken][0])
            taken += 1
        batch, self._waiting = self._waiting[:taken], self._waiting[taken:]
        self._task = asyncio.get_running_loop().create_task(self._send(batch))
        self._task.add_done_callback(lambda _: self._send_next())

    async def _send(self, batch: list[tuple[Pipeline, "asyncio.Future[list[Any]]"]]) -> None:
        shared = self.redis.pipeline(transaction=False)
        for pipe, _ in batch:
            shared.command_stack.extend(pipe.command_stack)
            shared.scripts |= {s for s in pipe.scripts if s.sha not in self._loaded}
        loading = {s.sha for s in shared.scripts}  # execute() empties shared.scripts
        outcome: list[Any] | Exception
        try:
            outcome = await shared.execute(raise_on_error=False)
        except Exception as exc:  # Redis away: every pipeline of the batch fails as its own would have
            outcome = exc
            self._loaded.clear()  # a restarted or promoted Redis may not hold our scripts
        except BaseException:
            for _, future in batch:
                future.cancel()
            raise
        else:
            self._loaded |= loading
            if any(isinstance(r, NoScriptError) for r in outcome):  # flushed: the callers' retries load them again
                self._loaded.clear()
        start = 0
        for pipe, future in batch:
            end = start + len(pipe)
            if not future.done():
                if isinstance(outcome, Exception):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome[start:end])
            start = end
