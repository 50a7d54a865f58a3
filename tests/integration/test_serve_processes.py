"""`[server] processes`: one `serve` command runs several processes on one port, each taking connections and a
share of the chats; a child that dies is started again, and every process stops with the first."""

import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import psutil
import pytest
from redis import Redis

from bridge.embedded_redis import free_port
from bridge.keys import Keys
from testkit.configs import base_raw, merged, write_toml
from testkit.serve_processes import serve_children
from tests.integration.test_serve import wait_for
from tests.support.processes import leftovers


def _members(client: Redis) -> set[bytes]:
    return set(client.zrange(Keys("csr").serve_members, 0, -1))


def _connections_on(pid: int, port: int) -> int:
    return sum(1 for c in psutil.Process(pid).net_connections("tcp")
               if c.status == psutil.CONN_ESTABLISHED and c.laddr and c.laddr.port == port)


def _listening_sockets(pid: int, port: int) -> set[int]:
    """The inodes of the sockets `pid` listens on at `port` (an inherited socket is the same inode in both)."""
    listening = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A" and int(fields[1].rpartition(":")[2], 16) == port:  # 0A: LISTEN
            listening.add(int(fields[9]))
    held = {int(link[8:-1]) for fd in Path(f"/proc/{pid}/fd").iterdir()
            if (link := _readlink(fd)).startswith("socket:[")}
    return listening & held


def _readlink(path: Path) -> str:
    try:
        return str(path.readlink())
    except OSError:  # closed meanwhile
        return ""


def _two_free_ports() -> int:
    """A port whose next one is free too (each process serves /metrics on metrics_port + its number)."""
    while True:
        with socket.socket() as a, socket.socket() as b:
            a.bind(("127.0.0.1", 0))
            try:
                b.bind(("127.0.0.1", a.getsockname()[1] + 1))
            except OSError:
                continue
            return int(a.getsockname()[1])


BURST = 100


def _burst(port: int, count: int) -> list[socket.socket]:
    """`count` connections opened at once, as a page's worth of widgets reconnecting after a restart does, each
    answered once and kept open. The kernel spreads them over the processes (SO_REUSEPORT hashes each one);
    with one shared listening socket, whichever process woke first took most of a burst."""
    conns = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(count)]
    for conn in conns:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    for conn in conns:
        assert conn.recv(64).startswith(b"HTTP/1.1 200"), "every connection is answered"
    return conns


def test_two_processes_share_the_port_and_the_chats(tmp_path: Path) -> None:
    port, metrics = free_port(), _two_free_ports()
    config = write_toml(tmp_path / "config.toml", merged(base_raw(), {
        "server": {"port": port, "processes": 2, "metrics_port": metrics}}))
    proc = subprocess.Popen([sys.executable, "-m", "bridge.cli", "serve", "-c", str(config)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    clients: list[socket.socket] = []
    try:
        wait_for(lambda: httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1), "/healthz", proc)
        redis = Redis(unix_socket_path=str(tmp_path / "data" / "redis" / "redis.sock"))
        first_members = wait_for(lambda: len(m := _members(redis)) == 2 and m, "two shard members", proc)
        (child,) = serve_children(proc.pid)
        for n in (0, 1):  # each process's own counters, on its own port
            scrape = wait_for(lambda n=n: httpx.get(f"http://127.0.0.1:{metrics + n}/metrics", timeout=1),
                              f"/metrics of process {n}", proc)
            assert scrape.status_code == 200 and "csr_queue_depth" in scrape.text

        clients += _burst(port, BURST)
        taken = {pid: _connections_on(pid, port) for pid in (proc.pid, child.pid)}
        assert sum(taken.values()) == BURST and all(n >= BURST / 3 for n in taken.values()), taken
        first_socket, child_socket = (_listening_sockets(pid, port) for pid in (proc.pid, child.pid))
        assert len(first_socket) == len(child_socket) == 1 and first_socket != child_socket, "one socket each"

        child.kill()
        again = wait_for(lambda: [c for c in serve_children(proc.pid) if c.pid != child.pid], "a new child", proc)
        assert len(again) == 1
        wait_for(lambda: len(_members(redis) - first_members) == 1, "the new child's shard membership", proc)
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
        redis.close()
    finally:
        for client in clients:
            client.close()
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert "serve process 2 of 2 exited (code -9); starting it again in 1 s" in out
    assert out.count("CSR Bridge stopped") == 2, out  # the replacement child and the first process
    assert leftovers(tmp_path) == [], "a process serve started outlived it"


def test_a_child_stops_when_the_first_process_is_gone(tmp_path: Path, redis_url: str) -> None:
    """The first process holds the child's stdin open for the child's life; its end, however the first
    process ended, stops the child."""
    config = write_toml(tmp_path / "config.toml", merged(base_raw(), {"redis": {"url": redis_url},
                                                                      "server": {"processes": 2}}))
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    child = subprocess.Popen([sys.executable, "-m", "bridge.cli", "serve", "-c", str(config), "--process", "1",
                              "--listen-fd", str(listener.fileno())],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             pass_fds=(listener.fileno(),))
    try:
        assert child.stdin is not None
        child.stdin.write(b'{"matrix_password": ""}\n')
        child.stdin.flush()
        wait_for(lambda: httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1), "/healthz", child)
        child.stdin.close()
        child.wait(timeout=30)
        assert child.stdout is not None
        out = child.stdout.read()
    finally:
        listener.close()
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, out
    assert b"the first serve process is gone; stopping" in out


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["--process", "1"], b"", "--process and --listen-fd are how serve starts its other processes"),
    (["--process", "-1", "--listen-fd", "3"], b"", "--process and --listen-fd"),
    (["--process", "1", "--listen-fd", "999"], b"", "--listen-fd 999 is not a listening socket"),
    (["--process", "1", "--listen-fd", "LISTENER"], b"\0not json", "the first serve process sent no settings"),
    (["--process", "1", "--listen-fd", "LISTENER"], b"", "the first serve process sent no settings"),
    (["--process", "1", "--listen-fd", "LISTENER"], b"[" * 200_000, "the first serve process sent no settings"),
    (["--process", "1", "--listen-fd", "LISTENER"], b'["a list"]\n', "the first serve process sent no settings"),
])
def test_hidden_process_arguments_misused_say_so(tmp_path: Path, redis_url: str, args: list[str], stdin: bytes,
                                                 message: str) -> None:
    config = write_toml(tmp_path / "config.toml", merged(base_raw(), {"redis": {"url": redis_url}}))
    listener = socket.create_server(("127.0.0.1", 0))
    args = [str(listener.fileno()) if a == "LISTENER" else a for a in args]
    try:
        done = subprocess.run([sys.executable, "-m", "bridge.cli", "serve", "-c", str(config), *args],
                              input=stdin, capture_output=True, timeout=60, pass_fds=(listener.fileno(),))
    finally:
        listener.close()
    assert done.returncode == 3, done.stderr
    assert message in done.stderr.decode()
    assert b"Traceback" not in done.stderr
