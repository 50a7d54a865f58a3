"""The real bridge in-process for Slack tests: bootstrap, adapters, the change feed and uvicorn on a free
port, with the Slack adapter's Web API client pointed at the fake Slack server."""

import asyncio
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from redis.asyncio import Redis

from adapters.http.server import build_asgi
from adapters.slack.plugin import SlackAdapter
from bridge.app import BridgeApp
from bridge.bootstrap import bootstrap
from bridge.plugins import load_adapter
from bridge.runtime import http_parts
from routing.background import run_routing_loops
from testkit.configs import base_raw, make_config, merged, write_toml
from testkit.fake_slack import FakeSlack
from testkit.signed import SlackSender

SECRET = "test-signing-secret-0123456789"
CHANNELS = {"general": "CGENERAL", "billing": "CBILLING", "tech": "CTECH"}
SUPERVISORS = "CSUPERVISORS"


def slack_overrides(fake: FakeSlack, **slack: Any) -> dict[str, Any]:
    return {"slack": {"enabled": True, "mode": "http", "bot_token": fake.bot_token, "signing_secret": SECRET,
                      "app_token": fake.app_token, "api_url": fake.api_url, "channels": CHANNELS,
                      "supervisors_channel": SUPERVISORS, **slack}}


@dataclass
class InProcessBridge:
    tmp_path: Path
    redis: Redis
    redis_url: str
    fake: FakeSlack
    overrides: dict[str, Any]
    adapters: tuple[str, ...] = ("slack",)
    app: BridgeApp = field(init=False)
    sender: SlackSender = field(init=False)
    """Signs requests to this bridge's /slack/events; one per bridge, so event ids never repeat."""
    url: str = ""

    async def start(self) -> "InProcessBridge":
        raw = merged(base_raw(), {**self.overrides, "redis": {"url": self.redis_url}})
        config_path = write_toml(self.tmp_path / "config.toml", raw)
        config = make_config(self.tmp_path, self.redis_url, **self.overrides)
        self.app = bootstrap(config, self.redis, self.redis_url, str(config_path))
        for name in self.adapters:
            adapter = load_adapter(name, self.app)
            self.app.adapters[name] = adapter
            if adapter.surface is not None:
                self.app.surfaces[adapter.surface.platform] = adapter.surface
        self._stop = asyncio.Event()
        self._feed = asyncio.create_task(self.app.feed.run(self._stop))
        for adapter in self.app.adapters.values():
            await adapter.start()
        await self.app.delivery.catch_up()
        await self.app.router.sync_roster()
        await self.app.offers.catch_up()
        self._loops = [asyncio.create_task(self.app.notices.run(self._stop)),
                       asyncio.create_task(run_routing_loops(self.app.router, self._stop))]
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self.sender = SlackSender(f"{self.url}/slack/events", SECRET, self.fake)
        asgi = build_asgi(http_parts(self.app))
        self._server = uvicorn.Server(uvicorn.Config(asgi, log_config=None, access_log=False,
                                                     lifespan="off", ws="websockets-sansio"))
        self._serving = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            await asyncio.sleep(0.01)
        return self

    async def stop(self) -> None:
        self._server.should_exit = True
        await self._serving
        for adapter in self.app.adapters.values():
            await adapter.stop()
        self._stop.set()
        await self._feed
        await asyncio.gather(*self._loops)
        await self.app.delivery.close()

    @property
    def slack(self) -> SlackAdapter:
        return self.app.adapters["slack"]  # type: ignore[return-value]


    async def settle(self) -> None:
        """Waits for the work Slack requests started and for deliveries to finish."""
        for _ in range(3):
            await self.slack.work.idle()
            await self.app.delivery.idle()

    async def readyz(self) -> httpx.Response:
        async with httpx.AsyncClient() as client:
            return await client.get(f"{self.url}/readyz")
