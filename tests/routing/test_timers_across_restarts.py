"""Timer jobs queued before a restart of `serve`'s embedded Redis still run after it.

The embedded Redis keeps one address (a Unix socket in data_dir) and jobs carry only the config path, so a
worker started after the restart finds the jobs, and the jobs find Redis, where both were before.
"""

import signal
import subprocess
import sys
from pathlib import Path

from redis import Redis as SyncRedis
from rq import Queue

from bridge.bootstrap import bootstrap, connect_redis
from bridge.config import load_config
from bridge.domain.offer import OfferState
from bridge.embedded_redis import EmbeddedRedis
from bridge.worker import queue_name
from testkit.configs import base_raw, merged, write_toml
from tests.routing.helpers import available, escalated, only_offer
from tests.routing.test_rq_timers import FAST, eventually


async def test_an_offer_deadline_queued_before_a_restart_fires_after_it(tmp_path: Path) -> None:
    raw = merged(base_raw(), FAST)
    raw.pop("redis", None)
    raw["data_dir"] = str(tmp_path / "data")
    path = write_toml(tmp_path / "config.toml", raw)
    config = load_config(path)
    server = EmbeddedRedis(config.data_path / "redis", unix_socket=config.embedded_redis_socket)
    server.start()
    redis = connect_redis(config.redis_url)
    app = bootstrap(config, redis, config.redis_url, str(path))
    await available(app, "alice")
    await escalated(app)
    offer = await only_offer(app, "alice")
    queue = Queue(queue_name(config, "timers"), connection=SyncRedis.from_url(config.redis_url))
    jobs = [queue.fetch_job(i) for i in queue.scheduled_job_registry.get_job_ids()]
    [deadline] = [j for j in jobs if j is not None and j.func_name == "routing.jobs.expire_offer"]
    assert deadline.args == (offer.id, str(path))  # no Redis address rides in the job
    assert all(not any("redis" in str(a) or "unix:" in str(a) for a in j.args) for j in jobs if j is not None)
    queue.connection.close()
    await redis.aclose()
    server.stop()

    again = EmbeddedRedis(config.data_path / "redis", unix_socket=config.embedded_redis_socket)
    again.start()
    assert again.url == server.url
    redis = connect_redis(config.redis_url)
    worker = subprocess.Popen([sys.executable, "-m", "bridge.cli", "worker", "--config", str(path)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        app = bootstrap(config, redis, config.redis_url, str(path))

        async def expired() -> bool:
            return (await app.router.state.offer(offer.id)).state == OfferState.EXPIRED

        await eventually(expired, "the deadline job queued before the restart")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(20)
        await redis.aclose()
        again.stop()
