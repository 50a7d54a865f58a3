"""RQ jobs: the one way the service queues them (`Jobs`); `bridge.job_runner` is how a job boots an app.

The service enqueues by dotted function name (no import of the job's module needed) through a
thread, since RQ's client is synchronous.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from rq import Queue, Retry

from bridge.config.root import BridgeConfig
from bridge.redis_connect import RedisEndpoint, connect_sync
from bridge.worker import queue_name


@dataclass(frozen=True)
class ScheduledJob:
    """`func(*args)` due at `due` (epoch seconds), queued once per `job_id`."""

    func: str
    args: tuple[Any, ...]
    due: float
    job_id: str


Enqueue = Callable[..., Awaitable[str]]
"""`Jobs.enqueue`, as the features that only queue jobs take it."""


class Jobs:
    """Queues RQ jobs on the bridge's queues, on the Redis at `endpoint`. A job finds Redis through its
    config, never through an address it carries, so jobs queued before a restart (or a failover) still run."""

    def __init__(self, config: BridgeConfig, endpoint: RedisEndpoint, config_path: str) -> None:
        self._config = config
        self._endpoint = endpoint
        self.config_path = config_path

    @property
    def runnable(self) -> bool:
        """Whether a worker could run what is queued: a bare test app has no config file to hand a job."""
        return bool(self.config_path and (self._endpoint.url or self._endpoint.sentinels))

    async def enqueue(self, func: str, *args: Any, job_id: str | None = None, retry: Retry | None = None,
                      delay: float = 0, queue: str = "jobs") -> str:
        """Queues `func(config_path, *args)`, now or after `delay` seconds; returns the job id."""

        def _enqueue() -> str:
            q = self._queue(queue)
            call_args = (self.config_path, *args)
            if delay > 0:
                job = q.enqueue_in(timedelta(seconds=delay), func, *call_args, job_id=job_id, retry=retry)
            else:
                job = q.enqueue(func, *call_args, job_id=job_id, retry=retry)
            return job.id

        return await asyncio.to_thread(_enqueue)

    async def schedule(self, jobs: list[ScheduledJob], queue: str, result_ttl: int, failure_ttl: int) -> None:
        """Queues each job at its due time, all in one round trip; `args` are passed as they are."""

        def _schedule() -> None:
            q = self._queue(queue)
            with q.connection.pipeline() as pipe:
                for job in jobs:
                    q.enqueue_at(datetime.fromtimestamp(job.due, UTC), job.func, *job.args, job_id=job.job_id,
                                 result_ttl=result_ttl, failure_ttl=failure_ttl, pipeline=pipe)
                pipe.execute()

        await asyncio.to_thread(_schedule)

    def _queue(self, name: str) -> Queue:
        return Queue(queue_name(self._config, name), connection=connect_sync(self._endpoint))
