"""Web origins (`scheme://host[:port]`), the unit browsers name a page's site by in the Origin header."""

import re
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
_ONE_ORIGIN = re.compile(r"https?://[A-Za-z0-9._:\[\]-]+", re.IGNORECASE)
"""What a browser sends: one serialized origin, its host in ASCII (punycode), no path, user, list or blank."""


def origin_of(url: str) -> str:
    """The origin of an http(s) URL as a browser writes it (lowercase, default port left out).

    Raises ValueError for anything else: no host, another scheme, a port past 65535, a broken IPv6 literal.
    """
    parts = urlsplit(url.strip())
    scheme, host, port = parts.scheme.lower(), (parts.hostname or "").lower(), parts.port
    if scheme not in _DEFAULT_PORTS or not host:
        raise ValueError(f"not an http(s) URL with a host: {url!r}")
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != _DEFAULT_PORTS[scheme] else "")


def origin_from_header(value: str) -> str | None:
    """The origin an Origin header names, or None when it names no single valid one (`null` included)."""
    if not _ONE_ORIGIN.fullmatch(value):
        return None
    try:
        return origin_of(value)
    except ValueError:
        return None
