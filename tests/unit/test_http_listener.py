"""The HTTP port as `serve` binds it: a port in use stops the start with one clear line, also when the host's
processes are to share it, and a child's own socket joins the first's group."""

import socket

import pytest

from bridge.embedded_redis import free_port
from bridge.startup import StartupError, bind_http, twin_listener


def test_a_port_another_program_holds_is_refused() -> None:
    port = free_port()
    with socket.socket() as other:
        other.bind(("127.0.0.1", port))
        other.listen()
        for shared in (False, True):
            with pytest.raises(StartupError, match=f"cannot listen on 127.0.0.1:{port}.*another program uses it"):
                bind_http("127.0.0.1", port, shared=shared)


def test_a_second_shared_serve_on_the_same_port_is_refused_not_let_in() -> None:
    """SO_REUSEPORT lets any socket of the same user that asks for it into the group: a second bridge started on
    the port by mistake would quietly take half the connections."""
    first = bind_http("127.0.0.1", free_port(), shared=True)
    first.listen()
    try:
        with pytest.raises(StartupError, match="another program uses it"):
            bind_http("127.0.0.1", first.getsockname()[1], shared=True)
    finally:
        first.close()


def test_a_child_listens_on_its_own_socket_beside_the_first() -> None:
    first = bind_http("127.0.0.1", free_port(), shared=True)
    first.listen()
    inherited = socket.socket(fileno=socket.dup(first.fileno()))
    twin = twin_listener(inherited)
    try:
        twin.listen()
        assert twin.fileno() != first.fileno() and twin.getsockname() == first.getsockname()
        assert inherited.fileno() == -1, "the inherited socket is closed"
        taken = _spread(first, twin, 100)
        assert min(taken) >= 30, taken
    finally:
        first.close()
        twin.close()


def test_without_a_group_a_child_keeps_the_inherited_socket() -> None:
    first = bind_http("127.0.0.1", free_port())
    try:
        inherited = socket.socket(fileno=socket.dup(first.fileno()))
        assert twin_listener(inherited) is inherited
        inherited.close()
    finally:
        first.close()


def _spread(a: socket.socket, b: socket.socket, count: int) -> list[int]:
    """How many of `count` connections opened at once each listener's queue took."""
    clients = [socket.create_connection(a.getsockname(), timeout=5) for _ in range(count)]
    taken = []
    for listener in (a, b):
        listener.setblocking(False)
        n = 0
        while True:
            try:
                conn, _ = listener.accept()
            except BlockingIOError:
                break
            conn.close()
            n += 1
        taken.append(n)
    for client in clients:
        client.close()
    assert sum(taken) == count
    return taken
