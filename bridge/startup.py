"""What `serve` checks before it starts anything, and the one error type a failed start raises.

A failed start is one line for a person (what, and which key or step fixes it), not a traceback; and it
fails before children are started where it can, so nothing is left running.
"""

import socket
from pathlib import Path


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


def bind_http(host: str, port: int, key: str = "[server] host and port") -> socket.socket:
    """Binds the HTTP port first, so a port in use stops `serve` before Redis, workers or a homeserver start."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise StartupError(f"{key}: {host!r} is not an address this machine has ({exc.strerror})") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        hint = (f"another program uses it: stop that program or change {key}" if exc.errno == 98
                else f"set {key} to an address this user may listen on")
        raise StartupError(f"cannot listen on {host}:{port} ({exc.strerror}); {hint}") from None
    sock.set_inheritable(False)
    return sock
