"""What `serve` checks before it starts anything, and the one error type a failed start raises.

A failed start is one line for a person (what, and which key or step fixes it), not a traceback; and it
fails before children are started where it can, so nothing is left running.
"""

import socket
import sys
from pathlib import Path
from typing import Any

BALANCED_REUSE_PORT = sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")
"""Linux spreads a SO_REUSEPORT group's connections by their addresses; macOS and most BSDs hand them all to one
socket of the group, worse than one shared socket, so there the processes keep sharing the first one's."""


class StartupError(RuntimeError):
    """`serve` can't start; the message says why and what to change."""


def check_data_dir(path: Path) -> None:
    probe = path / ".write-test"
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise StartupError(f"data_dir {path} is not writable ({exc.strerror}): set data_dir in the config "
                           "to a folder this user may write to") from None


def bind_http(host: str, port: int, key: str = "[server] host and port", shared: bool = False) -> socket.socket:
    """Binds the HTTP port first, so a port in use stops `serve` before Redis, workers or a homeserver start.

    `shared`: the host's other `serve` processes will listen on the port too (`[server] processes`), each on a
    socket of its own in one SO_REUSEPORT group (`twin_listener`), so the kernel spreads new connections evenly
    by their addresses. On one shared socket whichever process woke first took most of a burst (70 of 100
    connections opened at once), and the customers it held waited on one busy core while the other idled."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise StartupError(f"{key}: {host!r} is not an address this machine has ({exc.strerror})") from None
    grouped = shared and BALANCED_REUSE_PORT
    if grouped:  # a group would take in another program's sockets of the same user: the port must be free first
        _bound(family, kind, proto, address, host, port, key, reuse_port=False).close()
    sock = _bound(family, kind, proto, address, host, port, key, reuse_port=grouped)
    sock.set_inheritable(False)
    return sock


def twin_listener(inherited: socket.socket) -> socket.socket:
    """A socket of this process' own in the first process' SO_REUSEPORT group, on the address of the listening
    socket it inherited (which it closes); the inherited socket itself when the first did not make a group."""
    if not BALANCED_REUSE_PORT or not inherited.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT):
        return inherited
    address = inherited.getsockname()
    twin = _bound(inherited.family, inherited.type, inherited.proto, address, address[0], address[1],
                  "[server] host and port", reuse_port=True)
    inherited.close()
    twin.set_inheritable(False)
    return twin


def _bound(family: socket.AddressFamily, kind: socket.SocketKind, proto: int, address: tuple[Any, ...], host: str,
           port: int, key: str, reuse_port: bool) -> socket.socket:
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        hint = (f"another program uses it: stop that program or change {key}" if exc.errno == 98
                else f"set {key} to an address this user may listen on")
        raise StartupError(f"cannot listen on {host}:{port} ({exc.strerror}); {hint}") from None
    return sock
