"""The Slack bridge of tests/slack, on a fake Slack that also answers `conversations.members` (which
channel members a supervisor is among) as Slack documents it: paged with a `next_cursor`."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from testkit.fake_slack import FakeSlack, SlackError
from tests.slack.bridge import CHANNELS, SUPERVISORS, InProcessBridge, slack_overrides
from tests.supervision.helpers import roster

PAGE = 2


class MembersSlack(FakeSlack):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.members: dict[str, list[str]] = {}

    def _m_conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel") or "")
        if channel not in self.channels:
            raise SlackError("channel_not_found")
        start = int(args.get("cursor") or 0)
        members = self.members.get(channel, [])
        page = members[start:start + PAGE]
        more = start + PAGE < len(members)
        return {"members": page, "response_metadata": {"next_cursor": str(start + PAGE) if more else ""}}


@pytest.fixture
async def fake_slack() -> AsyncIterator[MembersSlack]:
    async with MembersSlack(channels=(*CHANNELS.values(), SUPERVISORS)) as fake:
        yield fake


@pytest.fixture
async def slack_bridge(tmp_path: Path, redis: Redis, redis_url: str,
                       fake_slack: MembersSlack) -> AsyncIterator[InProcessBridge]:
    overrides = {**slack_overrides(fake_slack), "agents": roster(), "reports": {"dashboard_seconds": 1.0}}
    running = InProcessBridge(tmp_path, redis, redis_url, fake_slack, overrides)
    await running.start()
    yield running
    await running.stop()
