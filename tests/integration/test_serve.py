"""`serve` on the example config: embedded Redis, RQ worker and homeserver, /healthz, graceful stop on SIGTERM."""

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from redis import Redis
from rq import Worker

from bridge.embedded_redis import free_port
from testkit.configs import EXAMPLE
from tests.support.processes import leftovers


def wait_for(check, what: str, proc: subprocess.Popen, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while True:
        assert proc.poll() is None, f"serve exited while waiting for {what}"
        try:
            result = check()
            if result:
                return result
        except (httpx.TransportError, OSError):
            pass
        assert time.monotonic() < deadline, f"no {what} within {timeout}s"
        time.sleep(0.2)


def test_serve_example_config_runs_everything_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "config.toml"
    text = EXAMPLE.read_text().replace("port = 8080", f"port = {port}", 1)
    config.write_text(text.replace("embedded_port = 8008", f"embedded_port = {free_port()}", 1))
    if (EXAMPLE.parent / "kb").is_dir():
        shutil.copytree(EXAMPLE.parent / "kb", tmp_path / "kb")
    proc = subprocess.Popen([sys.executable, "-m", "bridge.cli", "serve", "-c", str(config)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        health = wait_for(lambda: httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1), "/healthz", proc)
        assert health.json() == {"status": "ok"}
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).json()
        assert ready["checks"]["redis"]["ok"] is True
        client = Redis(unix_socket_path=str(tmp_path / "data" / "redis" / "redis.sock"))
        workers = wait_for(lambda: Worker.all(connection=client), "an RQ worker", proc)
        assert {q.name for q in workers[0].queues} == {"csr-timers", "csr-jobs"}
        client.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert "CSR Bridge stopped" in out
    assert leftovers(tmp_path) == [], "a process serve started outlived it"
