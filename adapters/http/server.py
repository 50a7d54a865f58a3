"""Builds the Starlette app and the uvicorn servers that `serve` runs: the main one, and /metrics on a port
of its own when `server.metrics_port` is set."""

import contextlib
import hmac
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from adapters.http.head_timeout import head_timeout_protocol
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
        if checks["redis"]["ok"]:
            try:
                healthy, detail = await app.transcripts.archiver.health()
                checks["transcripts"] = {"ok": healthy, "degraded": not healthy, "detail": detail}
            except Exception as exc:  # Redis went away since the ping: not ready, as above
                checks["transcripts"] = {"ok": False, "detail": exc.__class__.__name__}
        ready = all(c["ok"] or c.get("degraded") for c in checks.values())
        reasons = [f"{name}: {c['detail']}" for name, c in checks.items() if c.get("degraded")]
        if ready:
            reasons += await degraded()
        status = "degraded" if ready and reasons else "ok" if ready else "not_ready"
        return JSONResponse({"ready": ready, "status": status, "checks": checks, "degraded": reasons},
                            status_code=200 if ready else 503)

    routes: list = [Route("/healthz", healthz), Route("/readyz", readyz)]
    if not app.config.server.metrics_port:
        routes.append(metrics_route(app))
    for adapter in app.adapters.values():
        routes += adapter.routes()
    return Starlette(routes=routes, exception_handlers={HTTPException: _json_error})


def metrics_route(app: BridgeApp) -> Route:
    """Prometheus text; with `server.metrics_token` set, only for `Authorization: Bearer <token>`."""
    token = app.config.server.metrics_token.get_secret_value().encode()

    async def metrics(request: Request) -> Response:
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        if token and not (scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), token)):
            return JSONResponse({"error": "unauthorized", "message": "Send the metrics token as a Bearer token."},
                                status_code=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        return Response(await scrape(app), media_type=CONTENT_TYPE)

    return Route("/metrics", metrics, methods=["GET"])


async def _json_error(_: Request, exc: Exception) -> Response:
    """Unrouted paths answer in the API's error shape, also where a mount can't match (a %0A in the path)."""
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return JSONResponse({"error": code, "message": exc.detail}, status_code=exc.status_code,
                        headers=dict(exc.headers or {}))


def build_http_server(app: BridgeApp) -> uvicorn.Server:
    cfg = app.config.server
    return _uvicorn(build_asgi(app), cfg.host, cfg.port, app)


def build_metrics_server(app: BridgeApp) -> uvicorn.Server | None:
    """/metrics alone on `server.metrics_host:metrics_port`, e.g. an address only the scraper reaches."""
    cfg = app.config.server
    if not cfg.metrics_port:
        return None
    asgi = Starlette(routes=[metrics_route(app)], exception_handlers={HTTPException: _json_error})
    return _uvicorn(asgi, cfg.metrics_host, cfg.metrics_port, app)


def _uvicorn(asgi: Starlette, host: str, port: int, app: BridgeApp) -> uvicorn.Server:
    protocol = head_timeout_protocol(app.config.server.header_timeout_seconds)
    config = uvicorn.Config(asgi, host=host, port=port, log_config=None, access_log=False, lifespan="off",
                            ws="websockets-sansio", http=protocol)
    return _Server(config)
