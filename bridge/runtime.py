"""`serve`: runs the whole bridge in one process (or `[server] processes` of them on one port), and stops it
gracefully on SIGTERM/SIGINT.

Order of shutdown: stop taking input (HTTP, platform syncs), let in-flight deliveries finish,
then the embedded worker and Redis. Whatever is not delivered stays in Redis for the next start.
"""

import asyncio
import logging
import signal
import socket
import sys
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bridge.app import BridgeApp
from bridge.bootstrap import bootstrap
from bridge.config.root import BridgeConfig
from bridge.config.warnings import roster_warnings
from bridge.embedded_redis import EmbeddedRedis
from bridge.plugins import load_adapter
from bridge.redis_connect import RedisEndpoint, connect_redis, redis_endpoint
from bridge.serve_children import Handoff, ServeChildren, read_handoff, stdin_reader, until_first_gone
from bridge.startup import StartupError, bind_http, check_data_dir, twin_listener
from routing.background import run_routing_loops

if TYPE_CHECKING:
    from adapters.http.server import HttpParts
    from adapters.matrix.homeserver.embedded import EmbeddedHomeserver

log = logging.getLogger(__name__)


def http_parts(app: BridgeApp) -> "HttpParts":
    """What the HTTP front gets of the app (imported late: only `serve` and tests build it)."""
    from adapters.http.server import HttpParts
    from reports.scrape import scrape

    return HttpParts(config=app.config, redis=app.redis, adapters=app.adapters, knowledge=app.knowledge,
                     routing=app.router.state, archiver=app.transcripts.archiver,
                     scrape=lambda: scrape(app.config, app.redis, app.keys, app.chats, app.metrics))


@dataclass(frozen=True)
class ServeProcess:
    """Which of the host's `serve` processes this is (`[server] processes`): number 0 binds the port, runs the
    embedded services and starts the others, which inherit the listening socket as `listen_fd` and listen
    beside it on a socket of their own (`twin_listener`)."""

    number: int = 0
    listen_fd: int = -1

    @property
    def first(self) -> bool:
        return self.number == 0


async def serve(config: BridgeConfig, config_path: str, process: ServeProcess = ServeProcess()) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    tasks: list[asyncio.Task[None]] = []
    if process.first:
        check_data_dir(config.data_path)
        listener = bind_http(config.server.host, config.server.port, shared=config.server.processes > 1)
    else:
        try:
            inherited = socket.socket(fileno=process.listen_fd)
        except OSError as exc:
            raise StartupError(f"--listen-fd {process.listen_fd} is not a listening socket ({exc.strerror})") from None
        listener = twin_listener(inherited)
        reader = await stdin_reader()
        config = (await read_handoff(reader)).apply(config)
        tasks.append(asyncio.create_task(until_first_gone(reader, stop)))
    metrics_port = config.server.metrics_port + process.number
    metrics_listener = bind_http(config.server.metrics_host, metrics_port,
                                 "[server] metrics_host and metrics_port") if config.server.metrics_port else None
    async with AsyncExitStack() as stack:
        stack.callback(listener.close)
        if metrics_listener is not None:
            stack.callback(metrics_listener.close)
        homeserver = None
        if process.first:
            config, homeserver = await _embedded_services(config, config_path, stack)
        endpoint = redis_endpoint(config)
        redis = connect_redis(endpoint)
        stack.push_async_callback(redis.aclose)
        await _ping(redis, endpoint)
        app = bootstrap(config, redis, config.redis_url, config_path)
        if process.first:
            for warning in roster_warnings(config):
                log.warning("config: %s", warning)
        for name in _enabled_adapters(config, process):
            adapter = load_adapter(name, app)
            app.adapters[name] = adapter
            if adapter.surface is not None:
                app.surfaces[adapter.surface.platform] = adapter.surface
        from adapters.http.server import build_http_server, build_metrics_server

        http = http_parts(app)
        servers = [(build_http_server(http), listener)]
        if metrics_listener is not None and (metrics_server := build_metrics_server(http)) is not None:
            servers.append((metrics_server, metrics_listener))
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
        http_tasks = [asyncio.create_task(server.serve(sockets=[sock])) for server, sock in servers]
        stop_task = asyncio.create_task(stop.wait())
        while not all(s.started for s, _ in servers) and not any(t.done() for t in http_tasks) \
                and not stop.is_set():
            await asyncio.sleep(0.02)
        children = None
        if all(s.started for s, _ in servers):
            if process.first:
                log.info("CSR Bridge serving on http://%s:%s", config.server.host, config.server.port)
                if config.server.processes > 1:
                    handoff = Handoff(config.matrix.password.get_secret_value() if homeserver else "")
                    children = ServeChildren(config_path, listener, config.server.processes, handoff,
                                             config.server.shutdown_grace_seconds)
                    stack.push_async_callback(children.stop)  # before the embedded services stop
                    await children.start()
                print(welcome(config, homeserver), flush=True)
            else:
                log.info("serve process %d of %d taking connections", process.number + 1, config.server.processes)
        await asyncio.wait({*http_tasks, stop_task}, return_when=asyncio.FIRST_COMPLETED)
        stop.set()
        if children is not None:
            children.signal_stop()
        for server, _ in servers:
            server.should_exit = True
        await asyncio.gather(*http_tasks)
        await feed_task
        await kb_task
        await asyncio.gather(*routing_tasks, return_exceptions=True)
        if not await app.delivery.close(config.server.shutdown_grace_seconds):
            log.warning("deliveries still running at shutdown; they resume on the next start")
        await app.shards.leave()
        for task in tasks:
            task.cancel()
        log.info("CSR Bridge stopped")


async def _embedded_services(config: BridgeConfig, config_path: str,
                             stack: AsyncExitStack) -> "tuple[BridgeConfig, EmbeddedHomeserver | None]":
    """The embedded Redis, its RQ worker and the embedded homeserver, as the config asks; stopped by `stack`.
    Returns the config with what the homeserver filled in."""
    if not config.redis.external:
        embedded = EmbeddedRedis(config.data_path / "redis", unix_socket=config.embedded_redis_socket)
        await embedded.start_async()
        stack.callback(embedded.stop)
        log.info("embedded redis-server started on %s", embedded.url)
        worker = await _start_worker(config_path)
        stack.push_async_callback(_stop_process, worker)
    homeserver = None
    if config.matrix.enabled and config.matrix.embedded:
        from adapters.matrix.homeserver.embedded import EmbeddedHomeserver

        homeserver = EmbeddedHomeserver(config.matrix, config.queues, config.agents,
                                        config.data_path / "homeserver")
        stack.push_async_callback(homeserver.stop)
        config = config.model_copy(update={"matrix": await homeserver.start()})
        log.info("embedded homeserver started on %s", homeserver.synapse.url)
    elif config.matrix.enabled:
        from adapters.matrix.homeserver.reachable import check_homeserver

        await check_homeserver(config.matrix.client_url)
    return config, homeserver


async def _ping(redis: Redis, endpoint: RedisEndpoint) -> None:
    try:
        await redis.ping()
    except RedisError as exc:
        raise StartupError(f"Redis ([redis] {endpoint.describe()}) does not answer ({exc.__class__.__name__}): "
                           "start it, or leave [redis] url and sentinels empty to run an embedded one") from None


def welcome(config: BridgeConfig, homeserver: "EmbeddedHomeserver | None") -> str:
    """What a person needs after `scripts/run.sh`: where the customer's side is and how to reach the CSR side."""
    public = str(config.server.public_url).rstrip("/")
    lines = ["", f"CSR Bridge is running. Customers: open {public}/ (a demo page with the chat widget)."]
    if homeserver is not None:
        lines += homeserver.sign_in_help()
    platforms = [p for p, on in (("Slack", config.slack.enabled), ("Matrix", config.matrix.enabled)) if on]
    if not platforms:
        lines.append("No CSR platform is enabled: customers can only leave messages (see the README to add one).")
    lines.append("Stop it with Ctrl-C.")
    return "\n".join(lines)


def _enabled_adapters(config: BridgeConfig, process: ServeProcess) -> list[str]:
    """The email receiver listens on its own port: the first process runs it."""
    names = ["widget"]
    if config.slack.enabled:
        names.append("slack")
    if config.matrix.enabled:
        names.append("matrix")
    if config.email.enabled and config.email.inbound.enabled and process.first:
        names.append("email")
    return names


async def _start_worker(config_path: str) -> Any:
    """With embedded Redis the service runs its own RQ worker, so one command runs everything."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bridge.cli", "worker", "--config", config_path, start_new_session=True,
    )


async def _stop_process(proc: Any) -> None:
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 15)
        except TimeoutError:
            proc.kill()
            await proc.wait()
