"""A private redis-server for the zero-config default: loopback only, append-only file on.

`serve` starts one when no Redis URL is configured and stops it on exit; the test suite uses
the same class so tests never depend on a Redis the machine may not run.
"""

import asyncio
import shutil
import socket
import subprocess
import time
from pathlib import Path

from redis import Redis as SyncRedis
from redis.exceptions import ConnectionError as RedisConnectionError

from bridge.startup import StartupError

MAX_SOCKET_PATH = 100
"""Unix socket paths are capped at 107 bytes by the kernel's sockaddr_un; keep a margin."""


class EmbeddedRedisError(StartupError):
    """The embedded Redis can't start; the message says why and what to change."""


class RedisServerMissing(EmbeddedRedisError):
    def __init__(self) -> None:
        super().__init__(
            "redis-server was not found. Install it (Debian: `apt-get install redis-server`) "
            "or set [redis] url in the config to a Redis you run."
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class EmbeddedRedis:
    """Listens on a loopback port, or with `unix_socket` on that socket alone (`serve`: a fixed address that
    survives restarts and that other local users can't reach)."""

    def __init__(self, data_dir: Path, appendonly: bool = True, port: int | None = None,
                 unix_socket: Path | None = None) -> None:
        self.data_dir = data_dir
        self.appendonly = appendonly
        self.socket = unix_socket
        self.port = 0 if unix_socket else port or free_port()
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        if self.socket:
            return f"unix://{self.socket}?db=0"
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RedisServerMissing()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.socket:
            self._check_socket(self.socket)
        args = [
            binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.data_dir.resolve()),
            "--appendonly", "yes" if self.appendonly else "no", "--save", "",
            "--protected-mode", "yes", "--logfile", "redis.log", "--daemonize", "no",
        ]
        if self.socket:
            args += ["--unixsocket", str(self.socket), "--unixsocketperm", "700"]
        # Own session: a Ctrl-C in the terminal reaches serve, which stops Redis last, not first.
        self._proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + timeout
        client = SyncRedis.from_url(self.url)
        try:
            while True:
                if self._proc.poll() is not None:
                    err = self._proc.stderr.read().decode() if self._proc.stderr else ""
                    why = err or _last_line(self.data_dir / "redis.log") or f"see redis.log in {self.data_dir}"
                    raise EmbeddedRedisError(f"redis-server exited at start: {why.strip()}")
                try:
                    if client.ping():
                        return
                except RedisConnectionError:
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise EmbeddedRedisError(f"redis-server did not answer within {timeout}s (see redis.log in "
                                             f"{self.data_dir})")
                time.sleep(0.02)
        finally:
            client.close()

    def _check_socket(self, path: Path) -> None:
        if len(str(path).encode()) > MAX_SOCKET_PATH:
            raise EmbeddedRedisError(f"the embedded Redis's socket path {path} is too long for a Unix socket: "
                                     "set a shorter data_dir, or [redis] url to a Redis you run")
        if not path.exists():
            return
        probe = SyncRedis(unix_socket_path=str(path), socket_connect_timeout=1)
        try:
            probe.ping()
        except RedisConnectionError:
            return  # left by a process that died; redis-server replaces it
        finally:
            probe.close()
        raise EmbeddedRedisError(f"another CSR Bridge already runs on {self.data_dir}: stop it first, "
                                 "or give this one another data_dir")

    async def start_async(self) -> None:
        await asyncio.to_thread(self.start)

    def stop(self) -> None:
        if self._proc is None:
            return
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None


def _last_line(log: Path) -> str:
    try:
        lines = log.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1] if lines else ""
