"""A malformed Origin header is refused like a foreign one (403 in the API's shape) and counted by the
per-address limit, on every /api/v1 route and the WebSocket.

An outside probe found `urlsplit().port` raising on `http://x:99999` and the like: a 500 with a traceback on
every route, before the limiter, so 350 requests gave 244 tracebacks and not one 429.
"""

from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from bridge.config import ConfigError
from bridge.origins import origin_from_header
from testkit.configs import make_config
from tests.widget.conftest import HOST_ORIGIN, running_bridge

MALFORMED = ["http://x:99999", "http://[::1", "http://[::1]:70000", f"{HOST_ORIGIN}, {HOST_ORIGIN}", "null", "",
             f"{HOST_ORIGIN}/path", f"http://user@{HOST_ORIGIN.removeprefix('http://')}", "http://", "x",
             "http://ex ample.com", "javascript:alert(1)", "http://é.example", f"{HOST_ORIGIN}\\"]


def test_only_one_well_formed_origin_is_an_origin() -> None:
    assert {v: origin_from_header(v) for v in MALFORMED} == {v: None for v in MALFORMED}
    assert origin_from_header("HTTPS://Shop.Example:443") == "https://shop.example"
    assert origin_from_header("http://[::1]:8080") == "http://[::1]:8080"


async def test_malformed_origins_get_403_and_count_against_the_address(tmp_path: Path, redis: Redis,
                                                                      redis_url: str) -> None:
    limit = 2 * len(MALFORMED)
    async with running_bridge(tmp_path, redis, redis_url, widget={"requests_per_minute_per_address": limit}) as served:
        async with httpx.AsyncClient(base_url=served.url, timeout=10, trust_env=False) as c:
            chat = (await c.post("/api/v1/chats", json={"name": "Ann"}, headers={"Origin": HOST_ORIGIN})).json()
            routes = ["/api/v1/config", f"/api/v1/chats/{chat['chat_id']}", f"/api/v1/chats/{chat['chat_id']}/events"]
            answers = [await c.get(routes[i % len(routes)], headers={"Origin": origin.encode("latin-1")})
                       for i, origin in enumerate(MALFORMED)]
            doubled = await c.get("/api/v1/config", headers=[("Origin", HOST_ORIGIN), ("Origin", HOST_ORIGIN)])
            refused_sockets = 0
            for origin in ("http://x:99999", "http://[::1"):
                with pytest.raises(InvalidStatus) as refused:
                    async with connect(f"{served.ws_url}/api/v1/chats/{chat['chat_id']}/ws", origin=origin,  # type: ignore[arg-type]
                                       proxy=None):
                        pass
                refused_sockets += refused.value.response.status_code == 403
            flood = [await c.get("/api/v1/config", headers={"Origin": "http://x:99999"}) for _ in range(limit)]
    assert [(r.status_code, r.json()["error"]) for r in [*answers, doubled]] == \
        [(403, "origin_not_allowed")] * (len(MALFORMED) + 1)
    assert refused_sockets == 2
    statuses = [r.status_code for r in flood]
    assert set(statuses) == {403, 429} and statuses.index(429) > 0, "the limiter counts refused requests too"
    assert all(r.json()["error"] == "rate_limited" for r in flood if r.status_code == 429)


def test_a_malformed_allowed_origin_is_a_config_problem_not_a_crash_at_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        make_config(tmp_path, server={"allowed_origins": ["https://shop.example", "http://x:99999", "ftp://files"]})
    assert [p.path for p in err.value.problems] == ["server.allowed_origins"]
    assert "http://x:99999" in str(err.value.problems[0])
