"""The cost of arming an offer deadline as an RQ job (done in a worker thread, off the event loop)."""

import time
from pathlib import Path

from redis.asyncio import Redis

from bench.routing.setup import bench_config
from bridge.jobs import Jobs
from routing.timers import TimerScheduler

TIMERS = 2_000


async def rq_enqueue_us(data_dir: Path, redis: Redis, redis_url: str) -> float:
    await redis.flushdb()
    config = bench_config(10, data_dir, redis_url)
    scheduler = TimerScheduler(Jobs(config, redis_url, str(data_dir / "bench.toml")), config.redis.key_prefix)
    due = time.time() + 3600
    start = time.perf_counter()
    for i in range(TIMERS):
        await scheduler.schedule([(f"offer:of{i}", due)])
    return (time.perf_counter() - start) / TIMERS * 1e6
