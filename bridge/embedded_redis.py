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


class RedisServerMissing(RuntimeError):
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
    def __init__(self, data_dir: Path, appendonly: bool = True, port: int | None = None) -> None:
        self.data_dir = data_dir
        self.appendonly = appendonly
        self.port = port or free_port()
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RedisServerMissing()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [
            binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.data_dir.resolve()),
            "--appendonly", "yes" if self.appendonly else "no", "--save", "",
            "--protected-mode", "yes", "--logfile", "redis.log", "--daemonize", "no",
        ]
        # Own session: a Ctrl-C in the terminal reaches serve, which stops Redis last, not first.
        self._proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + timeout
        client = SyncRedis(host="127.0.0.1", port=self.port)
        try:
            while True:
                if self._proc.poll() is not None:
                    err = self._proc.stderr.read().decode() if self._proc.stderr else ""
                    why = err or f"see redis.log in {self.data_dir}"
                    raise RuntimeError(f"redis-server exited at start: {why}")
                try:
                    if client.ping():
                        return
                except RedisConnectionError:
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise TimeoutError(f"redis-server did not answer within {timeout}s")
                time.sleep(0.02)
        finally:
            client.close()

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
