"""A real Sentinel deployment on loopback: a primary, a replica and three sentinels, for tests and `make faults`.

Each node is its own redis-server process (sentinels are `redis-server FILE --sentinel`), so a test can kill the
primary with SIGKILL and watch the sentinels promote the replica, as on real hosts.
"""

import asyncio
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from redis import Redis as SyncRedis
from redis.exceptions import RedisError

from bridge.embedded_redis import free_port

MASTER_NAME = "csr-primary"
DOWN_AFTER_MS = 1000
"""How long the sentinels wait before they call the primary down (production: seconds to tens of seconds)."""


@dataclass
class Node:
    name: str
    port: int
    args: list[str]
    workdir: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = open(self.workdir / f"{self.name}.out", "ab")  # noqa: SIM115 - the child owns it
        try:
            self.proc = subprocess.Popen(self.args, cwd=self.workdir, stdout=log, stderr=log, start_new_session=True)
        finally:
            log.close()

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            self.proc.wait(10)
        self.proc = None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def client(self) -> SyncRedis:
        return SyncRedis(host="127.0.0.1", port=self.port, socket_timeout=2, socket_connect_timeout=2,
                         decode_responses=True)


@dataclass
class SentinelGroup:
    """Start with `start()`; `sentinels` is what `[redis] sentinels` lists, `MASTER_NAME` its `master_name`."""

    workdir: Path
    appendonly: bool = True
    data: list[Node] = field(default_factory=list)
    watchers: list[Node] = field(default_factory=list)

    @property
    def sentinels(self) -> list[str]:
        return [f"127.0.0.1:{n.port}" for n in self.watchers]

    def start(self, timeout: float = 30.0) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed"
        primary_port, replica_port = free_port(), free_port()
        for name, port in (("node-a", primary_port), ("node-b", replica_port)):
            args = [binary, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(self.workdir / name),
                    "--appendonly", "yes" if self.appendonly else "no", "--save", "", "--logfile", "redis.log"]
            if port == replica_port:
                args += ["--replicaof", "127.0.0.1", str(primary_port)]
            self.data.append(Node(name, port, args, self.workdir / name))
        for i in range(3):
            port = free_port()
            folder = self.workdir / f"sentinel-{i}"
            folder.mkdir(parents=True, exist_ok=True)
            conf = folder / "sentinel.conf"
            conf.write_text(f"port {port}\nbind 127.0.0.1\ndir {folder}\nlogfile sentinel.log\n"
                            f"sentinel monitor {MASTER_NAME} 127.0.0.1 {primary_port} 2\n"
                            f"sentinel down-after-milliseconds {MASTER_NAME} {DOWN_AFTER_MS}\n"
                            f"sentinel failover-timeout {MASTER_NAME} 4000\n"
                            f"sentinel parallel-syncs {MASTER_NAME} 1\n")
            self.watchers.append(Node(f"sentinel-{i}", port, [binary, str(conf), "--sentinel"], folder))
        for node in self.data + self.watchers:
            node.start()
        self._until(lambda: self._ready(primary_port), timeout, "the primary, its replica and the sentinels")

    def stop(self) -> None:
        for node in self.watchers + self.data:
            node.kill(signal.SIGTERM)

    def primary_port(self) -> int:
        """Where the sentinels say the primary is now (the majority's answer)."""
        answers: list[int] = []
        for node in self.watchers:
            try:
                with node.client() as c:
                    host_port = c.execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME)
                answers.append(int(host_port[1]))
            except RedisError:
                continue
        return max(set(answers), key=answers.count) if answers else 0

    def node_at(self, port: int) -> Node:
        return next(n for n in self.data if n.port == port)

    def kill_primary(self) -> Node:
        """SIGKILL to the primary: whatever it had not sent to its replica is gone."""
        node = self.node_at(self.primary_port())
        node.kill()
        return node

    def wait_failover(self, old_port: int, timeout: float = 60.0) -> int:
        """Until the sentinels name another primary and it takes writes; returns its port."""
        def promoted() -> bool:
            port = self.primary_port()
            if port in (0, old_port):
                return False
            with self.node_at(port).client() as c:
                return c.info("replication").get("role") == "master"
        self._until(promoted, timeout, "a failover")
        return self.primary_port()

    def rejoin(self, node: Node, timeout: float = 60.0) -> None:
        """Starts a killed node again as a replica of the current primary (as an operator restarting the host
        would; the sentinels would convert it too, some ten seconds later), and waits until it has synced. A
        sync that hangs (seen rarely on a loaded 2-core machine) gets the node restarted once, as an operator
        would; the error names what the node's log said last."""
        for attempt in (1, 2):
            if "--replicaof" in node.args:
                at = node.args.index("--replicaof")
                node.args = node.args[:at] + node.args[at + 3:]
            node.args += ["--replicaof", "127.0.0.1", str(self.primary_port())]
            node.start()

            def synced() -> bool:
                with node.client() as c:
                    info = c.info("replication")
                return info.get("role") == "slave" and info.get("master_link_status") == "up"
            try:
                self._until(synced, timeout / 2, f"{node.name} to rejoin as a replica")
                return
            except TimeoutError:
                log = (node.workdir / "redis.log").read_text(errors="replace").splitlines()[-5:]
                if attempt == 2:
                    raise TimeoutError(f"waited {timeout:g} s for {node.name} to rejoin as a replica; "
                                       f"its log ends: {' | '.join(log)}") from None
                node.kill()

    async def start_async(self) -> None:
        await asyncio.to_thread(self.start)

    def _ready(self, primary_port: int) -> bool:
        with self.node_at(primary_port).client() as c:
            if int(c.info("replication").get("connected_slaves", 0)) < 1:
                return False
        for node in self.watchers:
            with node.client() as c:
                master = c.execute_command("SENTINEL", "MASTER", MASTER_NAME)
                fields = dict(zip(master[::2], master[1::2], strict=True)) if isinstance(master, list) else master
                if int(fields.get("num-slaves", 0)) < 1 or int(fields.get("num-other-sentinels", 0)) < 2:
                    return False
        return True

    @staticmethod
    def _until(check: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if check():
                    return
            except RedisError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {timeout:g} s for {what}")
            time.sleep(0.05)

