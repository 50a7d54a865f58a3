"""Child processes of the bench (serve, workers, the fake Slack) and what they cost: CPU and peak RSS.

Every child gets its own session so the bench stops exactly the processes it started, by pid.
"""

import asyncio
import contextlib
import signal
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from testkit.serve_processes import serve_children

SAMPLE_SECONDS = 0.2


@dataclass
class Child:
    name: str
    proc: asyncio.subprocess.Process
    log: Path | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    def errors(self) -> Counter[str]:
        """What the child logged as errors (serve and worker log to stderr), by message."""
        if self.log is None or not self.log.exists():
            return Counter()
        found: Counter[str] = Counter()
        lines = self.log.read_text(errors="replace").splitlines()
        for i, line in enumerate(lines):
            if _is_error(line):
                where = lines[i + 1] if i + 1 < len(lines) and lines[i + 1].startswith("future:") else ""
                found[_message(line) + (f" ({_task(where)})" if where else "")] += 1
        return found


def _is_error(line: str) -> bool:
    """structlog's text lines say `[error    ]`; RQ's and stdlib's say ERROR."""
    return "[error" in line or "[critical" in line or " ERROR " in line or " CRITICAL " in line


def _message(line: str) -> str:
    """The message of a structlog or stdlib log line, without its time and logger."""
    text = line.split("]", 1)[1] if "[" in line[:40] else line
    return text.rsplit(" [", 1)[0].strip()[:120]


def _task(future_line: str) -> str:
    """`Task exception was never retrieved` says which coroutine on the next line."""
    coro = future_line.split("coro=<", 1)[-1].split("(", 1)[0]
    exc = future_line.split("exception=", 1)[-1].split("(", 1)[0] if "exception=" in future_line else ""
    return f"{coro}: {exc}" if exc else coro


async def spawn(name: str, args: list[str], log: Path | None, pipe: bool = False) -> Child:
    out = open(log, "ab") if log is not None else asyncio.subprocess.DEVNULL  # noqa: SIM115
    proc = await asyncio.create_subprocess_exec(
        sys.executable, *args, stdout=asyncio.subprocess.PIPE if pipe else out, stderr=out,
        start_new_session=True, limit=2**20)
    if log is not None:
        out.close()  # type: ignore[union-attr]
    return Child(name, proc, log)


async def stop(child: Child, timeout: float = 20.0) -> None:
    if child.proc.returncode is not None:
        return
    child.proc.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(child.proc.wait(), timeout)
    except TimeoutError:
        child.proc.kill()
        await child.proc.wait()


@dataclass
class Usage:
    cpu_seconds: float
    seconds: float
    peak_rss: int

    @property
    def cores(self) -> float:
        """Average cores busy over the phase (1.0 = one core all the time)."""
        return self.cpu_seconds / self.seconds if self.seconds else 0.0


@dataclass
class Meter:
    """Samples a set of processes over one phase: CPU time used and the highest RSS seen."""

    pids: dict[str, int]
    _procs: dict[str, psutil.Process] = field(default_factory=dict)
    _children: dict[str, list[psutil.Process]] = field(default_factory=dict)
    """A serve's other processes ([server] processes), found once at the start: looking for them on every
    sample walks /proc, and the bench's CPU is on the same cores as what it measures."""
    _cpu0: dict[str, float] = field(default_factory=dict)
    _peak: dict[str, int] = field(default_factory=dict)
    _task: asyncio.Task[None] | None = None
    _t0: float = 0.0

    def start(self) -> "Meter":
        self._procs = {n: psutil.Process(p) for n, p in self.pids.items()}
        self._children = {n: serve_children(p.pid) for n, p in self._procs.items()}
        self._cpu0 = {n: _cpu(p, self._children[n]) for n, p in self._procs.items()}
        self._peak = {n: 0 for n in self._procs}
        self._t0 = asyncio.get_running_loop().time()
        self._task = asyncio.create_task(self._sample())
        return self

    async def stop(self) -> dict[str, Usage]:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._take_sample()
        elapsed = asyncio.get_running_loop().time() - self._t0
        return {n: Usage(_cpu(p, self._children[n]) - self._cpu0[n], elapsed, self._peak[n])
                for n, p in self._procs.items()}

    async def _sample(self) -> None:
        while True:
            self._take_sample()
            await asyncio.sleep(SAMPLE_SECONDS)

    def _take_sample(self) -> None:
        for name, proc in self._procs.items():
            with contextlib.suppress(psutil.Error):
                rss = proc.memory_info().rss + sum(c.memory_info().rss for c in self._children[name])
                self._peak[name] = max(self._peak[name], rss)


def _cpu(proc: psutil.Process, children: list[psutil.Process]) -> float:
    """User + system time, with reaped children (RQ runs each job in a forked work horse) and the live
    `serve --process N` children of a serve with `[server] processes` above 1."""
    try:
        t = proc.cpu_times()
        live = [c.cpu_times() for c in children]
    except psutil.Error:
        return 0.0
    return t.user + t.system + t.children_user + t.children_system + sum(c.user + c.system for c in live)


def rss(pid: int) -> int:
    return int(psutil.Process(pid).memory_info().rss)
