"""Drives a freshly installed `csr-bridge serve` the way a newcomer would, with the standard library only.

Used by scripts/first-run-check.sh, which made the venv, the config and started `serve`: this waits for it,
checks /healthz, /readyz and the demo page, starts a chat and escalates it through the widget API, then
stops `serve` with SIGTERM and checks that no process it started is left. Exits non-zero with the reason.
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

START_TIMEOUT = 180.0
STOP_TIMEOUT = 30.0
READY_TIMEOUT = 60.0


def fail(why: str) -> None:
    print(f"first-run check: FAILED: {why}", file=sys.stderr)
    sys.exit(1)


def call(method: str, url: str, body: dict[str, Any] | None = None, token: str = "",
         origin: str = "") -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if origin:
        headers["Origin"] = origin
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            raw = resp.read()
            status = resp.status
    except urllib.error.HTTPError as err:
        raw, status = err.read(), err.code
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def wait_for_welcome(out: Path, serve: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if serve.poll() is not None:
            fail(f"serve exited with {serve.returncode} before it served:\n{out.read_text()[-3000:]}")
        if "CSR Bridge is running" in out.read_text():
            return
        time.sleep(0.2)
    fail(f"serve did not say it was running within {START_TIMEOUT:g} s:\n{out.read_text()[-3000:]}")


def wait_ready(base: str) -> tuple[int, Any]:
    """Platforms log in after `serve` starts listening: ready comes a moment later."""
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        status, ready = call("GET", f"{base}/readyz")
        if status == 200 or time.monotonic() > deadline:
            return status, ready
        time.sleep(0.2)


def children_of(workdir: str) -> list[str]:
    """Processes whose command line names the check's folder: Redis, Synapse, workers started for it."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if workdir in cmdline and "first_run_check" not in cmdline:
            found.append(f"{proc.name}: {cmdline[:160]}")
    return found


def main() -> None:
    workdir, base, command = sys.argv[1], sys.argv[2].rstrip("/"), sys.argv[3:]
    out = Path(workdir) / "serve.log"
    with open(out, "wb") as log:
        serve = subprocess.Popen(command, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    started = time.monotonic()
    try:
        wait_for_welcome(out, serve)
        print(f"first-run check: serve is running after {time.monotonic() - started:.1f} s")
        if call("GET", f"{base}/healthz")[0] != 200:
            fail("/healthz did not answer 200")
        status, ready = wait_ready(base)
        if status != 200:
            fail(f"/readyz still answered {status} after {READY_TIMEOUT:g} s: {ready}")
        status, page = call("GET", f"{base}/")
        if status != 200 or "widget.js" not in str(page):
            fail(f"the demo page answered {status} without the widget")
        status, chat = call("POST", f"{base}/api/v1/chats", {"name": "First Run", "message": "Hello?"}, origin=base)
        if status != 201:
            fail(f"starting a chat answered {status}: {chat}")
        status, escalated = call("POST", f"{base}/api/v1/chats/{chat['chat_id']}/escalate", {}, chat["token"], base)
        if status != 200 or escalated.get("state") not in ("waiting", "message"):
            fail(f"escalating answered {status}: {escalated}")
        print(f"first-run check: chat {chat['chat_id']} started and escalated ({escalated['state']})")
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            serve.kill()
            fail(f"serve did not stop within {STOP_TIMEOUT:g} s of SIGTERM")
    time.sleep(0.5)
    if left := children_of(workdir):
        fail("processes left after serve stopped:\n  " + "\n  ".join(left))
    if "Traceback" in out.read_text():
        fail(f"serve printed a traceback:\n{out.read_text()[-3000:]}")
    print("first-run check: serve stopped on SIGTERM and left nothing running")


if __name__ == "__main__":
    main()
