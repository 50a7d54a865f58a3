"""Slack fixtures: the fake Slack Web API on loopback, and the real bridge in-process pointed at it."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from testkit.fake_slack import FakeSlack
from tests.slack.bridge import CHANNELS, SUPERVISORS, InProcessBridge, slack_overrides


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(channels=(*CHANNELS.values(), SUPERVISORS)) as fake:
        yield fake


@pytest.fixture
def slack_settings() -> dict:
    """Overrides of [slack] a test module may replace (e.g. a faster pace)."""
    return {}


@pytest.fixture
async def bridge(tmp_path: Path, redis: Redis, redis_url: str, fake_slack: FakeSlack,
                 slack_settings: dict) -> AsyncIterator[InProcessBridge]:
    running = InProcessBridge(tmp_path, redis, redis_url, fake_slack, slack_overrides(fake_slack, **slack_settings))
    await running.start()
    yield running
    await running.stop()
