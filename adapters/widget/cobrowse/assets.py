"""Scripts co-browse needs: rrweb from npm (installed by scripts/setup.sh into `cobrowse.rrweb_dir`, never
committed) and the bridge's own small ones. widget.js stays small: the customer's tab fetches `cobrowse.js`
only when a CSR asks, and rrweb only once the customer allows."""

import logging
from importlib.resources import files
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bridge.config.root import BridgeConfig
from cobrowse.checks import RRWEB_FILES, install_warnings

log = logging.getLogger(__name__)
STATIC = files("adapters.widget").joinpath("static")
JS = "text/javascript; charset=utf-8"
CSS = "text/css; charset=utf-8"


def asset_routes(config: BridgeConfig) -> list[Any]:
    folder = config.resolve_path(config.cobrowse.rrweb_dir)
    bodies: dict[str, tuple[bytes, str]] = {}
    for problem in install_warnings(config):
        log.error("config: %s", problem)
    for name, source in RRWEB_FILES.items():
        path = Path(folder) / source
        if path.is_file():
            bodies[f"/cobrowse/{name}"] = (path.read_bytes(), JS if name.endswith(".js") else CSS)
    for route, name, kind in (("/cobrowse.js", "cobrowse.js", JS), ("/cobrowse/viewer.js", "viewer.js", JS),
                              ("/cobrowse/viewer.css", "viewer.css", CSS)):
        bodies[route] = (STATIC.joinpath(name).read_bytes(), kind)
    headers = {"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff",
               "Cross-Origin-Resource-Policy": "cross-origin"}

    def serve(path: str) -> Any:
        async def endpoint(_: Request) -> Response:
            found = bodies.get(path)
            if found is None:  # a 404 the admin can read, in the type the browser asked for
                return Response("/* co-browse: rrweb is not installed on this bridge (scripts/setup.sh) */",
                                status_code=404, media_type=JS if path.endswith(".js") else CSS)
            return Response(found[0], media_type=found[1], headers=headers)
        return endpoint

    paths = ["/cobrowse.js", "/cobrowse/viewer.js", "/cobrowse/viewer.css", *(f"/cobrowse/{n}" for n in RRWEB_FILES)]
    return [Route(p, serve(p), methods=["GET"]) for p in paths]
