"""Which web pages may use the widget API: `server.allowed_origins` plus the bridge's own public URL.

Checked for every request that carries an Origin (browsers send it on cross-site calls, POSTs and
every WebSocket), before any handler runs, so a page from elsewhere changes nothing. It runs inside the
per-address limit, so a flood of refused requests is still counted.
"""

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from bridge.origins import origin_from_header, origin_of


def allowed_origins(configured: list[str], public_url: str) -> list[str]:
    return sorted({origin_of(o) for o in configured} | {origin_of(public_url)})


class OriginGuard:
    """Refuses HTTP requests (403, JSON) and WebSocket handshakes from origins not on the list."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self._app = app
        self._origins = set(origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            sent = [value for name, value in scope["headers"] if name == b"origin"]
            if sent and (len(sent) > 1 or origin_from_header(sent[0].decode("latin-1")) not in self._origins):
                await self._refuse(scope, receive, send)  # a malformed, doubled or unknown origin alike
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
