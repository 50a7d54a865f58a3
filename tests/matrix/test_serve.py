"""`csr-bridge serve` with Matrix on: the adapter loads from the config, logs in, reports ready, stops cleanly."""

import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from bridge.embedded_redis import free_port
from testkit.configs import base_raw, merged, write_toml
from tests.integration.test_serve import wait_for


def test_serve_runs_the_matrix_adapter(tmp_path: Path, redis_url: str, redis: Any,
                                       matrix_overrides: dict[str, Any]) -> None:
    port = free_port()
    raw = merged(merged(base_raw(), matrix_overrides), {"redis": {"url": redis_url},
                                                        "server": {"port": port}})
    config = write_toml(tmp_path / "config.toml", raw)
    proc = subprocess.Popen([sys.executable, "-m", "bridge.cli", "serve", "-c", str(config)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        def matrix_ready() -> dict[str, Any] | None:
            checks = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).json()["checks"]
            return checks["matrix"] if checks.get("matrix", {}).get("ok") else None

        check = wait_for(matrix_ready, "Matrix ready on /readyz", proc)
        assert "running the sync loop" in check["detail"]
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert "CSR Bridge stopped" in out
