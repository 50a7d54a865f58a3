"""`serve`: runs the whole bridge in one process, and stops it gracefully on SIGTERM/SIGINT.

Order of shutdown: stop taking input (HTTP, platform syncs), let in-flight deliveries finish,
then the embedded worker and Redis. Whatever is not delivered stays in Redis for the next start.
"""

import asyncio
import logging
import signal
import sys
from contextlib import AsyncExitStack
from typing import Any

from bridge.bootstrap import bootstrap, connect_redis
from bridge.config.root import BridgeConfig
from bridge.config.warnings import roster_warnings
from bridge.embedded_redis import EmbeddedRedis
from bridge.plugins import load_adapter
from routing.background import run_routing_loops

log = logging.getLogger(__name__)


async def serve(config: BridgeConfig, config_path: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with AsyncExitStack() as stack:
        redis_url = config.redis.url
        if not redis_url:
            embedded = EmbeddedRedis(config.data_path / "redis")
            await embedded.start_async()
            stack.callback(embedded.stop)
            redis_url = embedded.url
            log.info("embedded redis-server started on %s", redis_url)
        redis = connect_redis(redis_url)
        stack.push_async_callback(redis.aclose)
        await redis.ping()
        if not config.redis.url:
            worker = await _start_worker(config_path, redis_url)
            stack.push_async_callback(_stop_process, worker)
        app = bootstrap(config, redis, redis_url, config_path)
        for warning in roster_warnings(config):
            log.warning("config: %s", warning)
        for name in _enabled_adapters(config):
            adapter = load_adapter(name, app)
            app.adapters[name] = adapter
            if adapter.surface is not None:
                app.surfaces[adapter.surface.platform] = adapter.surface
        from adapters.http.server import build_http_server

        server = build_http_server(app)
        feed_task = asyncio.create_task(app.feed.run(stop))
        await app.knowledge.reindex()
        kb_task = asyncio.create_task(app.knowledge.watch(stop))
        for adapter in app.adapters.values():
            await adapter.start()
            stack.push_async_callback(adapter.stop)
        await app.shards.join()
        await app.delivery.catch_up()
        await app.router.sync_roster()
        await app.offers.catch_up()
        routing_tasks = [asyncio.create_task(app.notices.run(stop)),
                         asyncio.create_task(run_routing_loops(app.router, stop)),
                         asyncio.create_task(app.shards.run(stop, app.delivery.catch_up))]
        http_task = asyncio.create_task(server.serve())
        log.info("CSR Bridge serving on http://%s:%s", config.server.host, config.server.port)
        stop_task = asyncio.create_task(stop.wait())
        await asyncio.wait({http_task, stop_task}, return_when=asyncio.FIRST_COMPLETED)
        stop.set()
        server.should_exit = True
        await http_task
        await feed_task
        await kb_task
        await asyncio.gather(*routing_tasks, return_exceptions=True)
        if not await app.delivery.close(config.server.shutdown_grace_seconds):
            log.warning("deliveries still running at shutdown; they resume on the next start")
        await app.shards.leave()
        log.info("CSR Bridge stopped")


def _enabled_adapters(config: BridgeConfig) -> list[str]:
    names = ["widget"]
    if config.slack.enabled:
        names.append("slack")
    if config.matrix.enabled:
        names.append("matrix")
    return names


async def _start_worker(config_path: str, redis_url: str) -> Any:
    """With embedded Redis the service runs its own RQ worker, so one command runs everything."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bridge.cli", "worker", "--config", config_path, "--redis-url", redis_url,
        start_new_session=True,
    )


async def _stop_process(proc: Any) -> None:
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 15)
        except TimeoutError:
            proc.kill()
            await proc.wait()
