"""Files the bridge serves as they are (no build step): widget.js, widget.css, the demo page, the API description."""

import html
from importlib.resources import files
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from adapters.widget.openapi import build_openapi
from bridge.config.root import BridgeConfig

STATIC = files("adapters.widget").joinpath("static")
_TYPES = {"widget.js": "text/javascript; charset=utf-8", "widget.css": "text/css; charset=utf-8",
          "demo.html": "text/html; charset=utf-8"}
_DEMO_CSP = ("default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; "
             "frame-ancestors 'none'")


def static_routes(config: BridgeConfig) -> list[Any]:
    bodies = {name: STATIC.joinpath(name).read_bytes() for name in _TYPES}
    public = html.escape(str(config.server.public_url).rstrip("/")).encode()
    bodies["demo.html"] = bodies["demo.html"].replace(b"__PUBLIC_URL__", public)
    spec = build_openapi(config)

    def serve(name: str, headers: dict[str, str]) -> Any:
        async def endpoint(_: Request) -> Response:
            return Response(bodies[name], media_type=_TYPES[name], headers=headers)
        return endpoint

    async def openapi(_: Request) -> JSONResponse:
        return JSONResponse(spec)

    demo = {"Content-Security-Policy": _DEMO_CSP, "Cache-Control": "no-cache"}
    assets = {"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff",
              "Cross-Origin-Resource-Policy": "cross-origin"}
    return [
        Route("/", serve("demo.html", demo), methods=["GET"]),
        Route("/widget.js", serve("widget.js", assets), methods=["GET"]),
        Route("/widget.css", serve("widget.css", assets), methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
    ]
