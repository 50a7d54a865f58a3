"""Fixtures: one private redis-server for the session, a clean database for each test."""

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from bridge.app import BridgeApp
from bridge.bootstrap import bootstrap, connect_redis
from bridge.embedded_redis import EmbeddedRedis
from testkit.configs import base_raw, make_config, merged, write_toml
from tests.support.postgres import own_database


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    """A real redis-server started for this test run (set TEST_REDIS_URL to use another)."""
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"), appendonly=False)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: EmbeddedRedis) -> str:
    return os.environ.get("TEST_REDIS_URL") or redis_server.url


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = connect_redis(redis_url)
    await client.flushdb()
    yield client
    await client.aclose()


@pytest.fixture
def config_path(tmp_path: Path, redis_url: str) -> Path:
    """The base test config written to disk (RQ jobs load the config by path)."""
    return write_toml(tmp_path / "config.toml", merged(base_raw(), {"redis": {"url": redis_url}}))


@pytest.fixture
async def app(tmp_path: Path, redis: Redis, redis_url: str, config_path: Path) -> AsyncIterator[BridgeApp]:
    config = make_config(tmp_path, redis_url)
    app = bootstrap(config, redis, redis_url, str(config_path))
    yield app
    await app.delivery.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def store_overrides(request: pytest.FixtureRequest) -> AsyncIterator[dict[str, Any]]:
    """Config overrides for the SQL store: SQLite in the test's folder, or a PostgreSQL database made for the test
    (skipped without a server)."""
    if request.param == "sqlite":
        yield {}
        return
    async with own_database() as url:
        yield {"store": {"url": url}}
