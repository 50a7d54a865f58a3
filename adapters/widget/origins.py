"""Which web pages may use the widget API: `server.allowed_origins` plus the bridge's own public URL.

Checked for every request that carries an Origin (browsers send it on cross-site calls, POSTs and
every WebSocket), before any handler runs, so a page from elsewhere changes nothing.
"""

from urllib.parse import urlsplit

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str:
    """`scheme://host[:port]` as a browser writes it in the Origin header (default ports left out)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    return f"{scheme}://{host}" + (f":{port}" if port and port != _DEFAULT_PORTS.get(scheme) else "")


def allowed_origins(configured: list[str], public_url: str) -> list[str]:
    return sorted({origin_of(o) for o in configured} | {origin_of(public_url)})


class OriginGuard:
    """Refuses HTTP requests (403, JSON) and WebSocket handshakes from origins not on the list."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self._app = app
        self._origins = set(origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            origin = dict(scope["headers"]).get(b"origin")
            if origin is not None and origin_of(origin.decode("latin-1")) not in self._origins:
                await self._refuse(scope, receive, send)
                return
        await self._app(scope, receive, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await receive()  # the websocket.connect message
            await send({"type": "websocket.close", "code": 1008})
            return
        body = {"error": "origin_not_allowed",
                "message": "This site is not allowed to use the chat; add it to server.allowed_origins."}
        await JSONResponse(body, status_code=403)(scope, receive, send)
