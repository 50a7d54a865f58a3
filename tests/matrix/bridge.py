"""The real bridge pieces run in-process against the test Synapse, as `serve` runs them: bootstrap,
the Matrix adapter (and the widget's HTTP API when asked), the change feed, delivery, the offer
presenter and the routing loops."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from adapters.http.server import build_http_server
from adapters.matrix.plugin import MatrixAdapter
from adapters.matrix.senders import MAX_SENDING, SWEEP_SECONDS
from adapters.widget.plugin import build as build_widget
from bridge.app import BridgeApp
from bridge.bootstrap import bootstrap, connect_redis
from bridge.embedded_redis import free_port
from bridge.runtime import http_parts
from routing.background import run_routing_loops
from testkit.appservice import AppserviceHomeserver
from testkit.configs import base_raw, make_config, merged, write_toml
from testkit.homeserver import BOT, QUEUES, Homeserver, password


def appservice_raw(ash: AppserviceHomeserver) -> dict[str, Any]:
    """Matrix on in appservice mode, with the registration the test homeserver loaded."""
    m, hs = ash.matrix, ash.hs
    return {"matrix": {
        "enabled": True, "mode": "appservice", "homeserver": hs.url, "user_id": m.user_id,
        "appservice_id": m.appservice_id, "appservice_url": m.appservice_url,
        "as_token": m.as_token.get_secret_value(), "hs_token": m.hs_token.get_secret_value(),
        "rooms": {q: hs.rooms[q] for q in QUEUES}, "supervisors_room": hs.rooms["supervisors"],
    }}


def matrix_raw(hs: Homeserver, bot: str = BOT, paced: bool = False) -> dict[str, Any]:
    """Matrix on, pointed at the test homeserver; unpaced for the exempted bot unless `paced`."""
    return {"matrix": {
        "enabled": True, "homeserver": hs.url, "user_id": hs.user_id(bot), "password": password(bot),
        "rooms": {q: hs.rooms[q] for q in QUEUES}, "supervisors_room": hs.rooms["supervisors"],
        "send_per_second": 0.2 if paced else 0,
    }}


class InProcessBridge:
    """One `serve` process' worth of bridge; several may run against the same Redis."""

    def __init__(self, tmp_path: Path, redis_url: str, overrides: dict[str, Any], lock_ttl: float = 3.0,
                 timeline_limit: int = 50, widget: bool = False, max_sending: int = MAX_SENDING,
                 sweep_seconds: float = SWEEP_SECONDS, port: int = 0) -> None:
        """`port`: the HTTP server's (an appservice bridge must serve where its registration says)."""
        self._port = port
        self._tmp = tmp_path
        self._redis_url = redis_url
        self._overrides = overrides
        self._lock_ttl = lock_ttl
        self._timeline_limit = timeline_limit
        self._widget = widget
        self._max_sending = max_sending
        self._sweep_seconds = sweep_seconds
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[Any]] = []
        self._http: Any = None
        self.stopped = False
        self.url = ""
        self.app: BridgeApp
        self.adapter: MatrixAdapter

    async def start(self) -> None:
        overrides = self._overrides
        if self._widget:
            port = self._port or free_port()
            self.url = f"http://127.0.0.1:{port}"
            overrides = merged({"server": {"host": "127.0.0.1", "port": port, "public_url": self.url,
                                           "allowed_origins": [self.url]}}, overrides)
        config = make_config(self._tmp, self._redis_url, **overrides)
        config_path = write_toml(self._tmp / "config.toml",
                                 merged(merged(base_raw(), overrides), {"redis": {"url": self._redis_url}}))
        app = self.app = bootstrap(config, connect_redis(self._redis_url), self._redis_url, str(config_path))
        self.adapter = MatrixAdapter(app.core, app.cases.form_in_progress, app.transcripts.cards, app.surfaces,
                                     lock_ttl=self._lock_ttl, timeline_limit=self._timeline_limit,
                                     max_sending=self._max_sending, sweep_seconds=self._sweep_seconds)
        app.adapters["matrix"] = self.adapter
        app.surfaces["matrix"] = self.adapter.surface
        if self._widget:
            app.adapters["widget"] = build_widget(app)
        self._stop = asyncio.Event()
        self._tasks = [asyncio.create_task(app.feed.run(self._stop))]
        await self._feed_live()
        await self.adapter.start()
        await app.delivery.catch_up()
        await app.router.sync_roster()
        await app.offers.catch_up()
        self._tasks += [asyncio.create_task(app.notices.run(self._stop)),
                        asyncio.create_task(run_routing_loops(app.router, self._stop))]
        if self._widget:
            self._http = build_http_server(http_parts(app))
            self._tasks.append(asyncio.create_task(self._http.serve()))
            while not self._http.started:
                await asyncio.sleep(0.02)

    def customer(self) -> httpx.AsyncClient:
        """The widget's HTTP API as a customer's browser on the bridge's own page calls it."""
        return httpx.AsyncClient(base_url=self.url, headers={"Origin": self.url}, timeout=10, trust_env=False)

    async def _feed_live(self) -> None:
        """The feed reads from '$': make sure it is reading before anything changes."""
        probe = self.app.feed.waiter("probe:ready")
        try:
            while not probe.is_set():
                await self.app.feed.publish("probe", "ready")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(probe.wait(), 0.1)
        finally:
            self.app.feed.release("probe:ready", probe)

    async def leading(self, timeout: float = 20.0) -> None:
        """Waits until this bridge runs the sync loop and has handled one sync (appservice: was reached)."""
        async with asyncio.timeout(timeout):
            while not (self.adapter.leadership.leading and self.adapter.caught_up.is_set()):
                await asyncio.sleep(0.05)

    async def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        if self._http is not None:
            self._http.should_exit = True
        await self.adapter.stop()
        self._stop.set()
        await self.app.feed.publish("probe", "stop")
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.app.delivery.close()
        await self.app.redis.aclose()

    async def crash(self) -> None:
        """Dies without a goodbye: tasks cancelled, the leader lock left to expire."""
        self.stopped = True
        for task in [self.adapter._task, *self._tasks, *self.app.delivery._running.values()]:
            if task:
                task.cancel()
        await asyncio.gather(*[t for t in [self.adapter._task, *self._tasks] if t], return_exceptions=True)
        await self.adapter.media.close()
        await self.adapter.client.close()
        await self.app.redis.aclose()


StartBridge = Callable[..., Awaitable[InProcessBridge]]
"""The `start_bridge` fixture: starts a bridge with config overrides (and InProcessBridge options)."""
