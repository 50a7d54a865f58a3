"""`csr-bridge serve` as its own process on the test Redis, its whole log (stdout and stderr) kept in a file."""

import asyncio
import contextlib
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bridge.embedded_redis import free_port
from testkit.configs import base_raw, merged, write_toml
from tests.widget.conftest import HOST_ORIGIN


@dataclass
class LiveServe:
    url: str
    port: int
    log: Path
    proc: subprocess.Popen[bytes]

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://", 1)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextlib.asynccontextmanager
async def live_serve(tmp_path: Path, redis_url: str, **overrides: Any) -> AsyncIterator[LiveServe]:
    """Stops it with SIGTERM on exit (and waits, so the log is complete when the block is left). Waits
    without blocking the loop, which may serve what `serve` talks to (a fake Slack)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = {"host": "127.0.0.1", "port": port, "public_url": url, "allowed_origins": [HOST_ORIGIN]}
    raw = merged(merged(base_raw(), {"server": server, "redis": {"url": redis_url}}), overrides)
    config = write_toml(tmp_path / "config.toml", raw)
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bridge.cli", "serve", "-c", str(config)],
                                stdout=out, stderr=subprocess.STDOUT)
    live = LiveServe(url, port, log, proc)
    try:
        await _wait_healthy(live)
        yield live
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(proc.wait, 30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def _wait_healthy(live: LiveServe, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=1, trust_env=False) as client:
        while True:
            assert live.proc.poll() is None, f"serve exited while starting:\n{live.output()}"
            with contextlib.suppress(httpx.TransportError):
                if (await client.get(f"{live.url}/healthz")).status_code == 200:
                    return
            assert time.monotonic() < deadline, f"serve did not answer /healthz in {timeout}s:\n{live.output()}"
            await asyncio.sleep(0.1)
