"""The CLI's check-config: every problem at once and non-zero, or a summary and zero."""

import subprocess
import sys
from pathlib import Path

from bridge.cli import main
from testkit.configs import EXAMPLE, base_raw, write_toml


def test_valid_config_prints_a_summary(capsys) -> None:
    assert main(["check-config", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "Config is valid." in out
    assert "general" in out and "billing" in out and "alice" in out
    assert "Platforms: matrix" in out


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


def test_the_shipped_config_has_nothing_to_warn_of_and_its_kb_agrees(capsys) -> None:
    """The shipped config runs on the embedded homeserver, someone can take every queue, and kb/ names only its
    queues: a newcomer's first check-config is clean."""
    assert main(["check-config", str(EXAMPLE)]) == 0
    assert capsys.readouterr().err == ""


def test_with_no_csr_platform_on_the_shipped_config_warns_and_says_how_to_fix(tmp_path: Path, capsys) -> None:
    text = EXAMPLE.read_text().replace('articles_dir = "kb"', f'articles_dir = "{EXAMPLE.parent / "kb"}"')
    path = tmp_path / "config.toml"
    path.write_text(text.replace("[matrix]\nenabled = true", "[matrix]\nenabled = false"))
    assert main(["check-config", str(path)]) == 0, "warnings leave the exit code at 0"
    err = capsys.readouterr().err
    assert "1 warning(s):" in err
    assert "no CSR platform is enabled" in err and "fix: set slack.enabled or matrix.enabled" in err


def test_warnings_name_a_queue_nobody_can_take_and_articles_naming_missing_queues(tmp_path: Path, capsys) -> None:
    raw = base_raw()
    raw["slack"] = {"enabled": True, "bot_token": "xoxb-1", "signing_secret": "s",
                    "channels": {"general": "C1", "billing": "C2", "tech": "C3"}}
    raw["agents"] = [a for a in raw["agents"] if a["id"] != "carol"]
    raw["agents"][1] = {**raw["agents"][1], "slack_user_id": ""}  # bob, the only other tech CSR, is on Matrix only
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "a.md").write_text("---\ntitle: A\nurl: https://example.com/a\nqueues: [general, sales]\n---\nA")
    (tmp_path / "kb" / "b.md").write_text("no front matter\n")
    path = write_toml(tmp_path / "c.toml", raw)
    assert main(["check-config", str(path)]) == 0
    err = capsys.readouterr().err
    assert "3 warning(s):" in err
    assert ("queues[2]: nobody on the roster can take queue 'tech' on Slack: its customers are asked to leave a "
            'message at once (fix: give a CSR queues = ["tech"], skills = ["tech"] and a slack_user_id)') in err
    assert "a.md: queues: names queue 'sales', which does not exist (fix: use one of: general, billing, tech" in err
    assert "b.md: no front matter" in err and "the article is skipped" in err


def test_errors_still_fail_when_there_are_warnings(tmp_path: Path, capsys) -> None:
    raw = base_raw()
    raw["widget"]["topics"][0]["queue"] = "sales"
    assert main(["check-config", str(write_toml(tmp_path / "c.toml", raw))]) == 2
    assert "widget.topics[0].queue" in capsys.readouterr().err


def test_output_cut_short_by_its_reader_ends_quietly() -> None:
    """`csr-bridge check-config | head -1`: the pipe closes early, and no traceback follows."""
    proc = subprocess.Popen([sys.executable, "-c", "import sys; from bridge.cli import main; sys.stdout.write"
                             "('x' * 200_000); sys.exit(main(['check-config', sys.argv[1]]))", str(EXAMPLE)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read()
    proc.wait(timeout=30)
    assert b"Traceback" not in err and b"BrokenPipe" not in err, err.decode()
