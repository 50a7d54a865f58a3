"""The CLI's check-config: every problem at once and non-zero, or a summary and zero."""

import subprocess
import sys
from pathlib import Path

from bridge.cli import main
from tests.support.configs import EXAMPLE, base_raw, write_toml


def test_valid_config_prints_a_summary(capsys) -> None:
    assert main(["check-config", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "Config is valid." in out
    assert "general" in out and "billing" in out and "alice" in out
    assert "Platforms: none (widget only)" in out


def test_invalid_config_lists_all_problems_and_fails(tmp_path: Path, capsys) -> None:
    raw = base_raw()
    raw["queues"][0]["strategy"] = "nope"
    raw["widget"]["topics"][0]["queue"] = "missing"
    raw["slack"] = {"enabled": True, "bot_token": "xoxb-super-secret"}
    path = write_toml(tmp_path / "c.toml", raw)
    assert main(["check-config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "queues[0].strategy" in err
    assert "slack.signing_secret" in err
    assert "xoxb-super-secret" not in err
    assert "problem(s)" in err


def test_serve_refuses_an_invalid_config(tmp_path: Path) -> None:
    raw = base_raw()
    raw["queues"] = []
    path = write_toml(tmp_path / "c.toml", raw)
    proc = subprocess.run([sys.executable, "-m", "bridge.cli", "serve", "-c", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "queues" in proc.stderr and "at least 1" in proc.stderr


def test_version_and_help() -> None:
    out = subprocess.run([sys.executable, "-m", "bridge.cli", "--version"], capture_output=True, text=True)
    assert out.stdout.startswith("csr-bridge ")
    for cmd in ("serve", "worker", "check-config"):
        helped = subprocess.run([sys.executable, "-m", "bridge.cli", cmd, "--help"], capture_output=True, text=True)
        assert helped.returncode == 0 and "usage: csr-bridge " + cmd in helped.stdout
