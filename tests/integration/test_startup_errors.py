"""`serve` that can't start says why in one line, names the fix, never says 'serving', and leaves no child."""

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge.embedded_redis import free_port
from testkit.configs import base_raw, merged, write_toml
from tests.support.processes import leftovers

REPO = Path(__file__).resolve().parents[2]


def serve(config: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bridge.cli", "serve", "-c", str(config)], cwd=REPO,
                          capture_output=True, text=True, timeout=120, env=env)


def assert_one_clear_line(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr and "serving" not in done.stderr + done.stdout
    [line] = [ln for ln in done.stderr.splitlines() if ln.startswith("csr-bridge: cannot start")]
    for word in words:
        assert word in line, line


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def embedded(tmp_path: Path, **overrides: object) -> Path:
    """The tests' base config on serve's own embedded Redis in a private data_dir."""
    raw = base_raw()
    raw.pop("redis", None)
    raw["data_dir"] = str(tmp_path / "data")
    raw["server"] = {**raw.get("server", {}), "port": free_port()}
    return write_toml(tmp_path / "config.toml", merged(raw, dict(overrides)))


def test_a_port_in_use_is_one_line_before_anything_starts(tmp_path: Path, busy_port: int) -> None:
    done = serve(embedded(tmp_path, server={"port": busy_port}))
    assert_one_clear_line(done, f"127.0.0.1:{busy_port}", "[server] host and port")
    assert not (tmp_path / "data" / "redis").exists()  # nothing was started
    assert leftovers(tmp_path) == []


def test_an_unwritable_data_dir_names_the_key(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    done = serve(embedded(tmp_path, data_dir=str(blocker / "data")))
    assert_one_clear_line(done, "data_dir")


def test_a_missing_redis_server_says_how_to_install_it(tmp_path: Path) -> None:
    python_only = tmp_path / "bin"
    python_only.mkdir()
    env = {**os.environ, "PATH": str(python_only)}
    done = serve(embedded(tmp_path), env=env)
    assert_one_clear_line(done, "redis-server", "apt-get install redis-server", "[redis] url")


def test_a_homeserver_that_does_not_answer_is_named(tmp_path: Path) -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    config = embedded(tmp_path, matrix={"enabled": True, "homeserver": nobody, "user_id": "@bot:example.org",
                                        "password": "pw", "rooms": {"general": "!a:example.org",
                                                                    "billing": "!b:example.org",
                                                                    "tech": "!c:example.org"}})
    done = serve(config)
    assert_one_clear_line(done, nobody, "[matrix] homeserver")
    assert leftovers(tmp_path) == []  # the embedded Redis and the worker were stopped again


def test_a_second_bridge_on_the_same_data_dir_is_refused(tmp_path: Path) -> None:
    first = subprocess.Popen([sys.executable, "-m", "bridge.cli", "serve", "-c", str(embedded(tmp_path))],
                             cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert first.stdout is not None
        for line in first.stdout:
            if "Stop it with Ctrl-C" in line:
                break
        done = serve(embedded(tmp_path))
        assert_one_clear_line(done, "already runs", "data_dir")
    finally:
        first.terminate()
        first.wait(30)
    assert shutil.which("redis-server")
