"""What a scenario runs against: a redis-server (or a primary, a replica and three sentinels), the fake Slack Web
API, and `serve` and `worker` as real processes started from a config file, each of which a scenario may kill
with SIGKILL and start again."""

import asyncio
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from redis.asyncio import Redis

from bridge.embedded_redis import EmbeddedRedis, free_port
from bridge.keys import Keys
from bridge.redis_connect import RedisEndpoint, connect_redis
from testkit.configs import merged, write_toml
from testkit.fake_slack import FakeSlack
from testkit.redis_sentinel import MASTER_NAME, SentinelGroup
from testkit.signed import SlackSender

SIGNING_SECRET = "faults-signing-secret-0123456789"
CHANNEL = "CGENERAL"
START_TIMEOUT = 60.0


def agents(count: int, capacity: int, matrix: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """CSRs csr0..csrN on Slack (UCSR0...), and on Matrix where `matrix` gives their user ids."""
    return [{"id": f"csr{i}", "display_name": f"CSR {i}", "queues": ["general"], "capacity": capacity,
             "slack_user_id": f"UCSR{i}", "matrix_user_id": (matrix or {}).get(f"csr{i}", "")} for i in range(count)]


def base_config(workdir: Path, redis: dict[str, Any], port: int, offer_timeout: float = 30.0) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}"
    return {
        "data_dir": str(workdir / "data"),
        "server": {"host": "127.0.0.1", "port": port, "public_url": url, "allowed_origins": [url],
                   "log_level": "warning", "shutdown_grace_seconds": 5},
        "redis": redis,
        "routing": {"missed_offers_before_away": 100},
        "queues": [{"name": "general", "display_name": "General", "offer_timeout": offer_timeout}],
        "widget": {"signing_key": "faults-signing-key-0123456789", "chats_per_hour_per_address": 1_000_000,
                   "requests_per_minute_per_address": 1_000_000, "messages_per_minute": 10_000,
                   "sockets_per_address": 1_000_000,
                   "topics": [{"id": "question", "label": "A question", "queue": "general"}]},
    }


def slack_section(fake: FakeSlack) -> dict[str, Any]:
    """The pace is lifted: this measures what is lost, not Slack's per-channel limit."""
    return {"slack": {"enabled": True, "mode": "http", "bot_token": fake.bot_token, "signing_secret": SIGNING_SECRET,
                      "api_url": fake.api_url, "channels": {"general": CHANNEL}, "messages_per_second": 1000,
                      "burst": 20}}


@dataclass
class Rig:
    workdir: Path
    appendonly: bool = False
    sentinel_wait: int | None = None
    """Not None: Redis is a Sentinel group (primary, replica, three sentinels) and this is `[redis] wait_replicas`."""
    port: int = field(default_factory=free_port)
    redis_server: EmbeddedRedis = field(init=False)
    group: SentinelGroup | None = None
    redis: Redis = field(init=False)
    keys: Keys = field(default_factory=Keys)
    config_path: Path = field(init=False)
    raw: dict[str, Any] = field(default_factory=dict)
    _serve: asyncio.subprocess.Process | None = None
    _second: asyncio.subprocess.Process | None = None
    _worker: asyncio.subprocess.Process | None = None
    _logs: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> RedisEndpoint:
        """How this harness reaches the Redis it started (as the bridge's processes do, from their config)."""
        if self.group is None:
            return RedisEndpoint(url=self.redis_server.url)
        return RedisEndpoint(sentinels=tuple(("127.0.0.1", int(s.rpartition(":")[2])) for s in self.group.sentinels),
                             master_name=MASTER_NAME)

    async def start(self, raw: dict[str, Any]) -> "Rig":
        """Starts Redis and writes the config (with its address and this rig's port) that serve and worker read."""
        if self.sentinel_wait is None:
            self.redis_server = EmbeddedRedis(self.workdir / "redis", appendonly=self.appendonly)
            await self.redis_server.start_async()
            self.redis = connect_redis(self.redis_server.url)
            redis: dict[str, Any] = {"url": self.redis_server.url}
        else:
            self.group = SentinelGroup(self.workdir / "redis", appendonly=self.appendonly)
            await self.group.start_async()
            redis = {"sentinels": self.group.sentinels, "master_name": MASTER_NAME,
                     "wait_replicas": self.sentinel_wait}
            self.redis = connect_redis(self.endpoint)
        self.raw = merged(base_config(self.workdir, redis, self.port), raw)
        self.config_path = write_toml(self.workdir / "config.toml", self.raw)
        return self

    async def stop(self) -> None:
        for proc in (self._serve, self._second, self._worker):
            if proc is not None and proc.returncode is None:
                _kill_group(proc, signal.SIGTERM)
                try:
                    await asyncio.wait_for(proc.wait(), 15)
                except TimeoutError:
                    _kill_group(proc, signal.SIGKILL)
                    await proc.wait()
        await self.redis.aclose()
        if self.group is not None:
            self.group.stop()
        else:
            self.redis_server.stop()

    # ---- serve -------------------------------------------------------------------------------------------
    async def start_serve(self) -> None:
        self._serve = await self._spawn("serve", "--config", str(self.config_path))
        await self.wait_ready()

    async def kill_serve(self) -> None:
        """SIGKILL: no shutdown, no flush; whatever was in flight is cut off."""
        assert self._serve is not None
        _kill_group(self._serve, signal.SIGKILL)
        await self._serve.wait()

    async def start_second_serve(self, host: str) -> str:
        """Another `serve` host on the same Redis and store: the same port on another loopback address, its own
        data directory (no shared disk); returns its URL."""
        url = f"http://{host}:{self.port}"
        raw = merged(self.raw, {"data_dir": str(self.workdir / f"data-{host}"),
                                "server": {"host": host, "public_url": url}})
        path = write_toml(self.workdir / f"config-{host}.toml", raw)
        self._second = await self._spawn("serve", "--config", str(path))
        await self.wait_ready(url=url, proc=self._second)
        return url

    async def kill_second_serve(self) -> None:
        assert self._second is not None
        _kill_group(self._second, signal.SIGKILL)
        await self._second.wait()

    async def wait_ready(self, timeout: float = START_TIMEOUT, url: str = "",
                         proc: asyncio.subprocess.Process | None = None) -> None:
        url, proc = url or self.url, proc or self._serve
        async with httpx.AsyncClient(timeout=2, trust_env=False) as client:
            async with asyncio.timeout(timeout):
                while True:
                    assert proc is not None and proc.returncode is None, f"serve exited; see {self.workdir}/serve-*.log"
                    try:
                        if (await client.get(f"{url}/readyz")).status_code == 200:
                            return
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.1)

    # ---- worker ------------------------------------------------------------------------------------------
    async def start_worker(self) -> None:
        self._worker = await self._spawn("worker", "--config", str(self.config_path))

    async def kill_worker(self) -> None:
        """SIGKILL to the worker's process group: the worker and the job it forked, mid-job or not."""
        assert self._worker is not None
        _kill_group(self._worker, signal.SIGKILL)
        await self._worker.wait()

    # ---- redis -------------------------------------------------------------------------------------------
    async def kill_redis(self) -> None:
        """SIGKILL to redis-server; its append-only file is all that survives."""
        pid = int((await self.redis.info("server"))["process_id"])
        os.kill(pid, signal.SIGKILL)
        while self.redis_server.running:
            await asyncio.sleep(0.02)

    async def restart_redis(self) -> None:
        """Same port, same directory: it loads its append-only file."""
        await self.redis_server.start_async()
        await self.redis.connection_pool.disconnect()  # this harness's own client reconnects on its next call

    async def _spawn(self, *args: str) -> asyncio.subprocess.Process:
        self._logs += 1
        log = open(self.workdir / f"{args[0]}-{self._logs}.log", "wb")  # noqa: SIM115 - the child owns it
        try:
            return await asyncio.create_subprocess_exec(sys.executable, "-m", "bridge.cli", *args, stdout=log,
                                                        stderr=log, start_new_session=True)
        finally:
            log.close()


def _kill_group(proc: asyncio.subprocess.Process, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def slack_sender(rig: Rig, fake: FakeSlack) -> SlackSender:
    return SlackSender(f"{rig.url}/slack/events", SIGNING_SECRET, fake)
