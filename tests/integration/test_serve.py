"""`serve` on the example config: embedded Redis, /healthz, graceful stop on SIGTERM."""

import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bridge.embedded_redis import free_port
from tests.support.configs import EXAMPLE


def test_serve_example_config_answers_healthz_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "config.toml"
    text = EXAMPLE.read_text().replace("port = 8080", f"port = {port}", 1)
    config.write_text(text)
    if (EXAMPLE.parent / "kb").is_dir():
        shutil.copytree(EXAMPLE.parent / "kb", tmp_path / "kb")
    proc = subprocess.Popen([sys.executable, "-m", "bridge.cli", "serve", "-c", str(config)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "serve did not answer within 60 s"
                time.sleep(0.2)
        assert health.json() == {"status": "ok"}
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).json()
        assert ready["checks"]["redis"]["ok"] is True
        assert (tmp_path / "data" / "redis").is_dir()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert "CSR Bridge stopped" in out
    redis_port = re.search(r"embedded redis-server started on redis://127.0.0.1:(\d+)", out)
    assert redis_port, out
    leftover = subprocess.run(["pgrep", "-f", f"redis-server 127.0.0.1:{redis_port[1]}"], capture_output=True)
    assert leftover.returncode == 1, "the embedded redis-server outlived serve"
