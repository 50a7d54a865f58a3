"""A real bridge serving the widget on a free loopback port: real Redis, real HTTP, change feed running."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from redis.asyncio import Redis
from websockets.asyncio.client import connect

from adapters.http.server import build_http_server
from adapters.widget.plugin import WidgetAdapter, build
from adapters.widget.socket import SUBPROTOCOL
from bridge.app import BridgeApp
from bridge.bootstrap import bootstrap
from bridge.embedded_redis import free_port
from bridge.runtime import http_parts
from testkit.configs import base_raw, make_config, merged, write_toml

HOST_PORT = free_port()
HOST_ORIGIN = f"http://localhost:{HOST_PORT}"
"""A second site allowed to embed the widget (the browser tests serve a host page there)."""


@dataclass
class Served:
    app: BridgeApp
    widget: WidgetAdapter
    url: str

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://", 1)

    def client(self, **headers: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, headers={"Origin": HOST_ORIGIN, **headers}, timeout=10,
                                 trust_env=False)

    async def start_chat(self, client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
        resp = await client.post("/api/v1/chats", json={"name": "Ann", "topic": "question", **body})
        assert resp.status_code == 201, resp.text
        return resp.json()


def auth(chat: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {chat['token']}"}


def open_socket(served: Served, chat: dict[str, Any], after: str = "0", origin: str = HOST_ORIGIN,
                token: str | None = None) -> connect:
    """The chat's WebSocket as widget.js opens it: the token in the subprotocol header, never in the URL."""
    url = f"{served.ws_url}/api/v1/chats/{chat['chat_id']}/ws?after={quote(after, safe='')}"
    return connect(url, origin=origin, proxy=None,  # type: ignore[arg-type]
                   subprotocols=[SUBPROTOCOL, f"token.{token or chat['token']}"])  # type: ignore[list-item]


@contextlib.asynccontextmanager
async def running_bridge(tmp_path: Path, redis: Redis, redis_url: str, **overrides: Any) -> AsyncIterator[Served]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = {"host": "127.0.0.1", "port": port, "public_url": url, "allowed_origins": [HOST_ORIGIN]}
    overrides = merged({"server": server}, overrides)
    config = make_config(tmp_path, redis_url, **overrides)
    raw = merged(merged(base_raw(), overrides), {"redis": {"url": redis_url}})
    config_path = write_toml(tmp_path / "config.toml", raw)
    app = bootstrap(config, redis, redis_url, str(config_path))
    widget = build(app)
    app.adapters["widget"] = widget
    http = build_http_server(http_parts(app))
    stop = asyncio.Event()
    feed = asyncio.create_task(app.feed.run(stop))
    serving = asyncio.create_task(http.serve())
    try:
        await _feed_live(app)
        while not http.started:
            assert not serving.done(), "the HTTP server stopped while starting"
            await asyncio.sleep(0.02)
        yield Served(app, widget, url)
    finally:
        http.should_exit = True
        await serving
        stop.set()
        await app.feed.publish("probe", "stop")  # wakes the feed's blocking read so it sees `stop` at once
        await feed
        await app.delivery.close()


async def _feed_live(app: BridgeApp) -> None:
    """The feed reads from '$', so make sure it is reading before a test makes changes."""
    probe = app.feed.waiter("probe:ready")
    try:
        while not probe.is_set():
            await app.feed.publish("probe", "ready")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(probe.wait(), 0.1)
    finally:
        app.feed.release("probe:ready", probe)


@pytest.fixture
async def served(tmp_path: Path, redis: Redis, redis_url: str) -> AsyncIterator[Served]:
    async with running_bridge(tmp_path, redis, redis_url) as s:
        yield s
