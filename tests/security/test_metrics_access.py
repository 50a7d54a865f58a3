"""`/metrics` was public: an admin can require a bearer token (`server.metrics_token`, CSR_METRICS_TOKEN)
or serve it on another address only (`server.metrics_port`)."""

from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from bridge.config import ConfigError
from bridge.config.loader import load_config
from bridge.embedded_redis import free_port
from testkit.configs import base_raw, make_config, merged, write_toml
from tests.security.live_serve import live_serve

TOKEN = "metrics-Zq81-secret-value"


def _get(url: str, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return httpx.get(url, headers=headers, timeout=5, trust_env=False)


async def test_a_metrics_token_keeps_strangers_out(tmp_path: Path, redis_url: str, redis: Redis) -> None:
    async with live_serve(tmp_path, redis_url, server={"metrics_token": TOKEN}) as serve:
        answers = {name: _get(f"{serve.url}/metrics", token)
                   for name, token in (("none", None), ("wrong", "nope"), ("prefix", TOKEN[:-1]), ("right", TOKEN))}
        spoofed = httpx.get(f"{serve.url}/metrics", headers={"Authorization": f"Basic {TOKEN}"}, timeout=5,
                            trust_env=False)
    assert {n: r.status_code for n, r in answers.items()} == {"none": 401, "wrong": 401, "prefix": 401, "right": 200}
    assert spoofed.status_code == 401
    assert answers["none"].json()["error"] == "unauthorized" and "Bearer" in answers["none"].headers["www-authenticate"]
    assert "csr_open_chats" in answers["right"].text
    assert TOKEN not in serve.output()


def test_the_metrics_token_can_come_from_the_environment(tmp_path: Path) -> None:
    config = write_toml(tmp_path / "config.toml", merged(base_raw(), {"server": {"metrics_token": "in-the-file"}}))
    loaded = load_config(str(config), environ={"CSR_METRICS_TOKEN": TOKEN})
    assert loaded.server.metrics_token.get_secret_value() == TOKEN


async def test_metrics_on_their_own_port_are_gone_from_the_public_one(tmp_path: Path, redis_url: str,
                                                                      redis: Redis) -> None:
    port = free_port()
    async with live_serve(tmp_path, redis_url, server={"metrics_port": port}) as serve:
        public = _get(f"{serve.url}/metrics")
        private = _get(f"http://127.0.0.1:{port}/metrics")
        other = _get(f"http://127.0.0.1:{port}/api/v1/config")
    assert (public.status_code, public.json()["error"]) == (404, "not_found")
    assert private.status_code == 200 and "csr_open_chats" in private.text
    assert other.status_code == 404, "the metrics address serves nothing else"


def test_a_metrics_port_equal_to_the_main_one_is_a_config_problem(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        make_config(tmp_path, server={"port": 9000, "metrics_port": 9000})
    assert "metrics_port must differ from port" in str(err.value.problems[0])
