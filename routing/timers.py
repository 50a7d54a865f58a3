"""Routing timers as scheduled RQ jobs: offer deadlines, max wait per queue, customer idle.

The scripts keep every armed timer in one sorted set (`routing_timers`) and return the ones they
armed; this module turns those into RQ jobs. Jobs, and the sweep that backs them up when a job was
lost (a crash between the script and the enqueue), go through the same idempotent scripts, so a
timer that fires late, twice, or after the chat moved on does nothing.
"""

import asyncio
import logging
from datetime import UTC, datetime

from redis import Redis as SyncRedis
from rq import Queue

from bridge.config.root import BridgeConfig
from bridge.worker import queue_name

log = logging.getLogger(__name__)
JOB_RESULT_TTL = 600
JOB_FAILURE_TTL = 86400


def job_for(member: str) -> tuple[str, tuple[str, ...]]:
    """Timer member -> (job function path, its id arguments)."""
    kind, _, rest = member.partition(":")
    if kind == "offer":
        return "routing.jobs.expire_offer", (rest,)
    if kind == "wait":
        chat_id, _, seq = rest.rpartition(":")
        return "routing.jobs.overflow_chat", (chat_id, seq)
    if kind == "idle":
        return "routing.jobs.idle_check", (rest,)
    raise ValueError(f"unknown routing timer {member!r}")


class TimerScheduler:
    """Enqueues RQ jobs for armed timers; without a config path (a bare test app) only the sweep runs them."""

    def __init__(self, config: BridgeConfig, redis_url: str, config_path: str) -> None:
        self._config = config
        self._redis_url = redis_url
        self._config_path = config_path
        self._queue: Queue | None = None

    @property
    def enabled(self) -> bool:
        return bool(self._config_path and self._redis_url)

    async def schedule(self, timers: list[tuple[str, float]]) -> None:
        if timers and self.enabled:
            await asyncio.to_thread(self._schedule_sync, timers)

    def _schedule_sync(self, timers: list[tuple[str, float]]) -> None:
        if self._queue is None:
            connection = SyncRedis.from_url(self._redis_url)
            self._queue = Queue(queue_name(self._config, "timers"), connection=connection)
        queue = self._queue
        with queue.connection.pipeline() as pipe:
            for member, due in timers:
                func, args = job_for(member)
                job_id = f"{self._config.redis.key_prefix}-{member.replace(':', '-')}-{int(due * 1000)}"
                queue.enqueue_at(datetime.fromtimestamp(due, UTC), func, *args, self._config_path,
                                 job_id=job_id, result_ttl=JOB_RESULT_TTL, failure_ttl=JOB_FAILURE_TTL, pipeline=pipe)
            pipe.execute()
