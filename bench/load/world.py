"""Everything a load run needs, started by the bench and stopped in reverse: a private Redis, the fake
Slack server, optionally a real Synapse, then `serve` processes (`python -m bridge.cli serve -c ...`,
each on its own port) and as many RQ workers, all against that one Redis.
"""

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.load.config import CHANNELS, TOPICS, bridge_raw
from bench.load.homeserver import BOT, BenchHomeserver, start_homeserver
from bench.load.procs import Child, spawn, stop
from bench.load.slack_server import pace_args
from bridge.bootstrap import connect_redis
from bridge.embedded_redis import EmbeddedRedis, free_port
from testkit.configs import write_toml

READY_TIMEOUT = 120.0
QUEUES = ("csr-jobs", "csr-timers")


@dataclass
class World:
    tmp: Path
    redis: EmbeddedRedis
    slack: Child
    slack_port: int
    redis_pid: int = 0
    hs: BenchHomeserver | None = None
    serves: list[Child] = field(default_factory=list)
    workers: list[Child] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)

    @property
    def slack_api(self) -> str:
        return f"http://127.0.0.1:{self.slack_port}/api/"

    @property
    def hooks_url(self) -> str:
        return f"http://127.0.0.1:{self.slack_port}/hooks"

    async def start_bridges(self, processes: int, slack_csrs: int, capacity: int, appservice: bool = False,
                            tune: Callable[[dict[str, Any]], None] | None = None) -> None:
        """`processes` serve processes and as many workers; returns once every /readyz says ready.

        `appservice`: Matrix in appservice mode (one process: it serves where the registration points).
        `tune` changes the config before it is written (the paced run puts the platforms' pacing back)."""
        for n in range(processes):
            port = free_port()
            if appservice and self.hs is not None and self.hs.appservice is not None:
                port = int(self.hs.appservice.appservice_url.rsplit(":", 1)[1])
            raw = bridge_raw(self.tmp / "data", port, self.redis.url, self.slack_api, slack_csrs, self.hs, capacity,
                             appservice)
            if tune is not None:
                tune(raw)
            mode = "-as" if appservice else ""
            config = write_toml(self.tmp / f"bridge-{n}{mode}.toml", raw)
            log = self.tmp / f"serve-{n}{mode}.log"
            self.serves.append(await spawn(f"serve-{n}", ["-m", "bridge.cli", "serve", "-c", str(config)], log))
            self.workers.append(await spawn(f"worker-{n}", ["-m", "bridge.cli", "worker", "-c", str(config)],
                                            self.tmp / f"worker-{n}{mode}.log"))
            self.urls.append(f"http://127.0.0.1:{port}")
        await asyncio.gather(*(self._ready(url, child) for url, child in zip(self.urls, self.serves, strict=True)))

    async def stop_bridges(self) -> None:
        await asyncio.gather(*(stop(c) for c in self.serves + self.workers))
        self.serves, self.workers, self.urls = [], [], []

    def bridge_errors(self) -> Counter[str]:
        return sum((c.errors() for c in self.serves + self.workers), Counter())

    async def settle(self, timeout: float = 120.0) -> None:
        """Waits until the RQ workers are idle (e.g. archiving the chats a run just closed), so the next
        run does not pay for the last one's jobs."""
        redis = connect_redis(self.redis.url)
        try:
            deadline = asyncio.get_running_loop().time() + timeout
            while asyncio.get_running_loop().time() < deadline:
                busy = 0
                for queue in QUEUES:
                    busy += await redis.llen(f"rq:queue:{queue}") + await redis.zcard(f"rq:wip:{queue}")
                if not busy:
                    return
                await asyncio.sleep(0.5)
        finally:
            await redis.aclose()

    async def flush_redis(self) -> None:
        redis = connect_redis(self.redis.url)
        await redis.flushall()
        await redis.aclose()

    async def _ready(self, url: str, child: Child) -> None:
        deadline = asyncio.get_running_loop().time() + READY_TIMEOUT
        async with aiohttp.ClientSession() as session:
            while True:
                if child.proc.returncode is not None:
                    raise RuntimeError(f"{child.name} exited; see {child.log}")
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(f"{url}/readyz") as response:
                        if response.status == 200:
                            return
                if asyncio.get_running_loop().time() > deadline:
                    raise TimeoutError(f"{child.name} not ready in {READY_TIMEOUT}s; see {child.log}")
                await asyncio.sleep(0.2)


async def start_world(tmp: Path, matrix_csrs: int, extra_channels: tuple[str, ...] = (),
                      slack_pace: tuple[float, int] | None = None, exempt_bot: bool = True,
                      extra_rooms: tuple[str, ...] = ()) -> World:
    """`slack_pace` (posts a second, burst): the fake Slack limits each channel as Slack does; `exempt_bot=False`
    leaves the bridge's Matrix bot at Synapse's default message limit; `extra_rooms` are made like the queues'."""
    redis = EmbeddedRedis(tmp / "redis", appendonly=False)
    await redis.start_async()
    channels = [*CHANNELS.values(), *extra_channels]
    pace = pace_args(*slack_pace) if slack_pace else []
    slack = await spawn("fake-slack", ["-m", "bench.load.slack_server", *pace, *channels], tmp / "fake-slack.log",
                        pipe=True)
    assert slack.proc.stdout is not None
    first = (await slack.proc.stdout.readline()).decode()
    if not first.startswith("port "):
        raise RuntimeError(f"the fake Slack server did not start: {first!r}; see {slack.log}")
    world = World(tmp, redis, slack, int(first.split()[1]))
    client = connect_redis(redis.url)
    world.redis_pid = int((await client.info("server"))["process_id"])
    await client.aclose()
    if matrix_csrs:
        world.hs = await asyncio.to_thread(start_homeserver, tmp / "synapse", matrix_csrs,
                                           [*TOPICS.values(), *extra_rooms], exempt_bot)
        for name in extra_rooms:  # joined before any bridge starts: the bot refuses invites to rooms not configured
            await asyncio.to_thread(world.hs.synapse.join, BOT, world.hs.rooms[name])
    return world


async def stop_world(world: World) -> None:
    await world.stop_bridges()
    await stop(world.slack)
    if world.hs is not None:
        await asyncio.to_thread(world.hs.stop)
    await asyncio.to_thread(world.redis.stop)
