"""The other `serve` processes of a host (`[server] processes`), started and watched by the first.

One Python process uses at most one core, so a busy host runs several `serve` processes on one port: the
first binds it, the others inherit its listening socket and each listens beside it on one of its own in the
same SO_REUSEPORT group, so the kernel spreads new connections evenly over them (`bridge/startup.py`). They share
the chats as separate hosts do (`bridge/events/shards.py`).
The first process alone runs the embedded Redis, worker and homeserver, and hands the others what they
cannot read from the config (the embedded homeserver's bot password) on their stdin, never in arguments or
the environment. A child reads stdin to its end, so it stops when the first process dies, however it dies;
one that exits while the host is up is started again after a pause.
"""

import asyncio
import json
import logging
import signal
import socket
import sys
from dataclasses import dataclass

from pydantic import SecretStr

from bridge.config.root import BridgeConfig
from bridge.startup import StartupError

log = logging.getLogger(__name__)
RESTART_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)
"""Pauses before starting a child again that exited, longer each time it exits within a minute of starting."""
STEADY_SECONDS = 60.0
STOP_EXTRA_SECONDS = 5.0
"""How long past its shutdown grace a child may take to stop before it is killed."""


@dataclass(frozen=True)
class Handoff:
    """What the first process knows that the config file does not say."""

    matrix_password: str = ""

    def apply(self, config: BridgeConfig) -> BridgeConfig:
        if not self.matrix_password:
            return config
        return config.model_copy(update={"matrix": config.matrix.model_copy(
            update={"password": SecretStr(self.matrix_password)})})

    def encode(self) -> bytes:
        return json.dumps({"matrix_password": self.matrix_password}).encode() + b"\n"

    @classmethod
    def decode(cls, line: bytes) -> "Handoff":
        try:
            data = json.loads(line)
            return cls(matrix_password=str(data.get("matrix_password", "")))
        except (ValueError, AttributeError):
            raise StartupError("the first serve process sent no settings: run serve without --process") from None


async def stdin_reader() -> asyncio.StreamReader:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


async def read_handoff(reader: asyncio.StreamReader) -> Handoff:
    try:
        line = await reader.readline()
    except ValueError:  # a line past the reader's limit: not what the first process sends
        line = b""
    return Handoff.decode(line)


async def until_first_gone(reader: asyncio.StreamReader, stop: asyncio.Event) -> None:
    """Sets `stop` when stdin ends: the first process closed it, or died."""
    while await reader.read(4096):
        pass
    if not stop.is_set():
        log.warning("the first serve process is gone; stopping")
        stop.set()


class ServeChildren:
    """Processes 1 .. count-1, each `csr-bridge serve --process N` on the inherited listening socket."""

    def __init__(self, config_path: str, listener: socket.socket, count: int, handoff: Handoff,
                 grace: float) -> None:
        self._config_path = config_path
        self._listener = listener
        self._count = count
        self._handoff = handoff
        self._grace = grace
        self._procs: dict[int, asyncio.subprocess.Process] = {}
        self._stopping = asyncio.Event()
        self._watchers: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        for number in range(1, self._count):
            self._watchers.append(asyncio.create_task(self._keep(number)))

    def signal_stop(self) -> None:
        """Asks every child to stop (they finish their deliveries while the first process finishes its own)."""
        self._stopping.set()
        for proc in self._procs.values():
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)

    async def stop(self) -> None:
        self.signal_stop()
        procs = [p for p in self._procs.values() if p.returncode is None]
        if procs:
            _, late = await asyncio.wait([asyncio.create_task(p.wait()) for p in procs],
                                         timeout=self._grace + STOP_EXTRA_SECONDS)
            for proc in procs:
                if proc.returncode is None:
                    log.warning("serve process (pid %d) did not stop in time; killing it", proc.pid)
                    proc.kill()
            await asyncio.gather(*(p.wait() for p in procs))
        for task in self._watchers:
            task.cancel()
        await asyncio.gather(*self._watchers, return_exceptions=True)

    async def _keep(self, number: int) -> None:
        """Runs child `number` until the host stops, starting it again after an unexpected exit."""
        loop, failures = asyncio.get_running_loop(), 0
        while not self._stopping.is_set():
            started = loop.time()
            proc = self._procs[number] = await self._spawn(number)
            code = await proc.wait()
            if self._stopping.is_set():
                return
            failures = failures + 1 if loop.time() - started < STEADY_SECONDS else 1
            delay = RESTART_DELAYS[min(failures, len(RESTART_DELAYS)) - 1]
            log.error("serve process %d of %d exited (code %s); starting it again in %g s", number + 1, self._count,
                      code, delay)
            try:
                await asyncio.wait_for(self._stopping.wait(), delay)
            except TimeoutError:
                pass

    async def _spawn(self, number: int) -> asyncio.subprocess.Process:
        fd = self._listener.fileno()
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bridge.cli", "serve", "--config", self._config_path,
            "--process", str(number), "--listen-fd", str(fd),
            stdin=asyncio.subprocess.PIPE, pass_fds=(fd,), start_new_session=True)
        assert proc.stdin is not None
        proc.stdin.write(self._handoff.encode())
        await proc.stdin.drain()
        log.info("serve process %d of %d started (pid %d)", number + 1, self._count, proc.pid)
        return proc
