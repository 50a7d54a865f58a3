"""Routing timers as scheduled RQ jobs: offer deadlines, max wait per queue, customer idle, left messages
nobody claimed.

The scripts keep every armed timer in one sorted set (`routing_timers`) and return the ones they
armed; this module turns those into RQ jobs. Jobs, and the sweep that backs them up when a job was
lost (a crash between the script and the enqueue), go through the same idempotent scripts, so a
timer that fires late, twice, or after the chat moved on does nothing.
"""

import logging

from bridge.jobs import Jobs, ScheduledJob

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
    if kind == "unclaimed":
        return "routing.jobs.unclaimed_alert", (rest,)
    raise ValueError(f"unknown routing timer {member!r}")


class TimerScheduler:
    """Enqueues RQ jobs for armed timers; without a config path (a bare test app) only the sweep runs them.

    Timer jobs take the config path last (they are older than `Jobs.enqueue`'s config-path-first rule, and
    jobs already queued must keep running)."""

    def __init__(self, jobs: Jobs, key_prefix: str) -> None:
        self._jobs = jobs
        self._key_prefix = key_prefix

    @property
    def enabled(self) -> bool:
        return self._jobs.runnable

    async def schedule(self, timers: list[tuple[str, float]]) -> None:
        if timers and self.enabled:
            await self._jobs.schedule([self._job(member, due) for member, due in timers], "timers",
                                      result_ttl=JOB_RESULT_TTL, failure_ttl=JOB_FAILURE_TTL)

    def _job(self, member: str, due: float) -> ScheduledJob:
        func, args = job_for(member)
        return ScheduledJob(func, (*args, self._jobs.config_path), due,
                            f"{self._key_prefix}-{member.replace(':', '-')}-{int(due * 1000)}")
