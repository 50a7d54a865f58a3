"""The real bridge pieces run in-process against the test Synapse: bootstrap, the Matrix adapter
(and the widget's routes when a test asks), the change feed and delivery."""

import asyncio
import contextlib
from pathlib import Path
from typing import Any

from adapters.matrix.plugin import MatrixAdapter
from bridge.app import BridgeApp
from bridge.bootstrap import bootstrap, connect_redis
from tests.matrix.homeserver import BOT, QUEUES, Homeserver, password
from tests.support.configs import base_raw, make_config, merged, write_toml


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
                 timeline_limit: int = 50) -> None:
        self._tmp = tmp_path
        self._redis_url = redis_url
        self._overrides = overrides
        self._lock_ttl = lock_ttl
        self._timeline_limit = timeline_limit
        self._stop = asyncio.Event()
        self._feed: asyncio.Task[None] | None = None
        self.app: BridgeApp
        self.adapter: MatrixAdapter

    async def start(self) -> None:
        config = make_config(self._tmp, self._redis_url, **self._overrides)
        config_path = write_toml(self._tmp / "config.toml",
                                 merged(merged(base_raw(), self._overrides), {"redis": {"url": self._redis_url}}))
        self.app = bootstrap(config, connect_redis(self._redis_url), self._redis_url, str(config_path))
        self.adapter = MatrixAdapter(self.app, lock_ttl=self._lock_ttl, timeline_limit=self._timeline_limit)
        self.app.adapters["matrix"] = self.adapter
        self.app.surfaces["matrix"] = self.adapter.surface
        self._stop = asyncio.Event()
        self._feed = asyncio.create_task(self.app.feed.run(self._stop))
        await self.adapter.start()
        await self.app.delivery.catch_up()

    async def leading(self, timeout: float = 20.0) -> None:
        """Waits until this bridge runs the sync loop and has handled one sync."""
        async with asyncio.timeout(timeout):
            while not (self.adapter.leadership.leading and self.adapter.sync.synced.is_set()):
                await asyncio.sleep(0.05)

    async def stop(self) -> None:
        await self.adapter.stop()
        self._stop.set()
        if self._feed:
            await self._feed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.app.delivery.idle(), 10)
        await self.app.redis.aclose()

    async def crash(self) -> None:
        """Dies without a goodbye: tasks cancelled, the leader lock left to expire."""
        for task in (self.adapter._task, self._feed):
            if task:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        for task in list(self.app.delivery._running.values()):
            task.cancel()
        await self.adapter.media.close()
        await self.adapter.client.close()
        await self.app.redis.aclose()
