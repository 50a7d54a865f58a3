"""Builds the Starlette app and the uvicorn server that `serve` runs."""

import contextlib
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bridge.app import BridgeApp
from bridge.config.warnings import roster_warnings
from reports.scrape import CONTENT_TYPE, scrape


class _Server(uvicorn.Server):
    """`serve` owns the signals (graceful shutdown of the whole bridge), not uvicorn."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def build_asgi(app: BridgeApp) -> Starlette:
    config_warnings = [str(w) for w in roster_warnings(app.config)]

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def degraded() -> list[str]:
        """Serving, but some customers can't reach a person: config warnings, and queues nobody is signed in for."""
        problems = config_warnings + [str(w) for w in await app.knowledge.warnings()]
        unstaffed = await app.router.state.unstaffed([q.name for q in app.config.queues])
        return problems + [f"no CSR signed in for queue {q}" for q in unstaffed]

    async def readyz(_: Request) -> JSONResponse:
        checks: dict[str, dict[str, object]] = {}
        try:
            await app.redis.ping()
            checks["redis"] = {"ok": True, "detail": "reachable"}
        except Exception as exc:  # any failure means not ready; the reason is what matters here
            checks["redis"] = {"ok": False, "detail": exc.__class__.__name__}
        for name, adapter in app.adapters.items():
            ok, detail = await adapter.ready()
            checks[name] = {"ok": ok, "detail": detail}
        ready = all(c["ok"] for c in checks.values())
        warnings = await degraded() if checks["redis"]["ok"] else []
        status = "degraded" if ready and warnings else "ok" if ready else "not_ready"
        return JSONResponse({"ready": ready, "status": status, "checks": checks, "degraded": warnings},
                            status_code=200 if ready else 503)

    async def metrics(_: Request) -> Response:
        return Response(await scrape(app), media_type=CONTENT_TYPE)

    routes: list = [Route("/healthz", healthz), Route("/readyz", readyz), Route("/metrics", metrics)]
    for adapter in app.adapters.values():
        routes += adapter.routes()
    return Starlette(routes=routes, exception_handlers={HTTPException: _json_error})


async def _json_error(_: Request, exc: Exception) -> Response:
    """Unrouted paths answer in the API's error shape, also where a mount can't match (a %0A in the path)."""
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return JSONResponse({"error": code, "message": exc.detail}, status_code=exc.status_code,
                        headers=dict(exc.headers or {}))


def build_http_server(app: BridgeApp) -> uvicorn.Server:
    cfg = app.config.server
    config = uvicorn.Config(build_asgi(app), host=cfg.host, port=cfg.port, log_config=None,
                            access_log=False, lifespan="off", ws="websockets-sansio")
    return _Server(config)
