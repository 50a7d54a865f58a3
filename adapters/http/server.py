"""Builds the Starlette app and the uvicorn servers that `serve` runs: the main one, and /metrics on a port
of its own when `server.metrics_port` is set."""

import contextlib
import hmac
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

import uvicorn
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from adapters.http.slow_clients import slow_client_protocol
from bridge.config.root import BridgeConfig
from bridge.config.warnings import roster_warnings
from bridge.plugins import Adapter
from knowledge.base import KnowledgeBase
from reports.scrape import CONTENT_TYPE
from routing.state import RoutingState
from transcripts.archive import Archiver


class _Server(uvicorn.Server):
    """`serve` owns the signals (graceful shutdown of the whole bridge), not uvicorn."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass(frozen=True)
class HttpParts:
    """What the HTTP front reads: health from Redis, the adapters, the knowledge base, routing and the archive;
    the adapters' own routes; and the metrics scrape. `adapters` is the app's live map."""

    config: BridgeConfig
    redis: Redis
    adapters: dict[str, Adapter]
    knowledge: KnowledgeBase
    routing: RoutingState
    archiver: Archiver
    scrape: Callable[[], Awaitable[bytes]]


def build_asgi(parts: HttpParts) -> Starlette:
    config_warnings = [str(w) for w in roster_warnings(parts.config)]

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def degraded() -> list[str]:
        """Serving, but some customers can't reach a person: config warnings, and queues nobody is signed in for."""
        problems = config_warnings + [str(w) for w in await parts.knowledge.warnings()]
        unstaffed = await parts.routing.unstaffed([q.name for q in parts.config.queues])
        return problems + [f"no CSR signed in for queue {q}" for q in unstaffed]

    async def readyz(_: Request) -> JSONResponse:
        checks: dict[str, dict[str, object]] = {}
        try:
            await parts.redis.ping()
            checks["redis"] = {"ok": True, "detail": "reachable"}
        except Exception as exc:  # any failure means not ready; the reason is what matters here
            checks["redis"] = {"ok": False, "detail": exc.__class__.__name__}
        for name, adapter in parts.adapters.items():
            ok, detail = await adapter.ready()
            checks[name] = {"ok": ok, "detail": detail}
        if checks["redis"]["ok"]:
            try:
                healthy, detail = await parts.archiver.health()
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
    if not parts.config.server.metrics_port:
        routes.append(metrics_route(parts))
    for adapter in parts.adapters.values():
        routes += adapter.routes()
    return Starlette(routes=routes, exception_handlers={HTTPException: _json_error})


def metrics_route(parts: HttpParts) -> Route:
    """Prometheus text; with `server.metrics_token` set, only for `Authorization: Bearer <token>`."""
    token = parts.config.server.metrics_token.get_secret_value().encode()

    async def metrics(request: Request) -> Response:
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        if token and not (scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), token)):
            return JSONResponse({"error": "unauthorized", "message": "Send the metrics token as a Bearer token."},
                                status_code=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        return Response(await parts.scrape(), media_type=CONTENT_TYPE)

    return Route("/metrics", metrics, methods=["GET"])


async def _json_error(_: Request, exc: Exception) -> Response:
    """Unrouted paths answer in the API's error shape, also where a mount can't match (a %0A in the path)."""
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return JSONResponse({"error": code, "message": exc.detail}, status_code=exc.status_code,
                        headers=dict(exc.headers or {}))


def build_http_server(parts: HttpParts) -> uvicorn.Server:
    cfg = parts.config.server
    return _uvicorn(build_asgi(parts), cfg.host, cfg.port, parts)


def build_metrics_server(parts: HttpParts) -> uvicorn.Server | None:
    """/metrics alone on `server.metrics_host:metrics_port`, e.g. an address only the scraper reaches."""
    cfg = parts.config.server
    if not cfg.metrics_port:
        return None
    asgi = Starlette(routes=[metrics_route(parts)], exception_handlers={HTTPException: _json_error})
    return _uvicorn(asgi, cfg.metrics_host, cfg.metrics_port, parts)


def _uvicorn(asgi: Starlette, host: str, port: int, parts: HttpParts) -> uvicorn.Server:
    server = parts.config.server
    protocol = slow_client_protocol(server.header_timeout_seconds, server.body_timeout_seconds)
    config = uvicorn.Config(asgi, host=host, port=port, log_config=None, access_log=False, lifespan="off",
                            ws="websockets-sansio", http=protocol)
    return _Server(config)
