"""RQ jobs from the async service, and an app inside each job.

The service enqueues by dotted function name (no import of the job's module needed) through a
thread, since RQ's client is synchronous. A job runs in a fresh process: it loads the config,
connects to Redis, boots its own app, does its work and leaves; it never holds a platform client.
"""

import asyncio
import functools
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from redis import Redis as SyncRedis
from rq import Queue, Retry

from bridge.app import BridgeApp
from bridge.worker import queue_name

T = TypeVar("T")


async def enqueue(app: BridgeApp, func: str, *args: Any, job_id: str | None = None, retry: Retry | None = None,
                  delay: float = 0, queue: str = "jobs") -> str:
    """Queues `func(config_path, *args)`; returns the job id. A job finds Redis through its config, never
    through an address it carries, so jobs queued before a restart still run after it."""

    def _enqueue() -> str:
        q = Queue(queue_name(app.config, queue), connection=_sync_redis(app.redis_url))
        call_args = (app.config_path, *args)
        if delay > 0:
            job = q.enqueue_in(timedelta(seconds=delay), func, *call_args, job_id=job_id, retry=retry)
        else:
            job = q.enqueue(func, *call_args, job_id=job_id, retry=retry)
        return job.id

    return await asyncio.to_thread(_enqueue)


@functools.cache
def _sync_redis(url: str) -> SyncRedis:
    """One thread-safe pool per Redis for RQ's synchronous client: a new connection per job cost a
    connect and a health check each time (a burst of closing chats spent more on that than on the jobs)."""
    return SyncRedis.from_url(url)


def run_in_app(config_path: str, work: Callable[[BridgeApp], Awaitable[T]]) -> T:
    """Boots an app for one job and runs `work` on it in a new event loop."""
    from bridge.bootstrap import bootstrap, connect_redis
    from bridge.config import load_config

    config = load_config(config_path)

    async def main() -> T:
        redis = connect_redis(config.redis_url)
        try:
            return await work(bootstrap(config, redis, config.redis_url, config_path))
        finally:
            await redis.aclose()

    return asyncio.run(main())
