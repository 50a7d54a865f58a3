"""Socket Mode: the same app over the fake Slack's WebSocket, no public endpoint, redeliveries handled once."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from bridge.domain.events import AuthorKind
from testkit.fake_slack import FakeSlack
from tests.slack.bridge import InProcessBridge, slack_overrides
from tests.slack.helpers import active_chat, thread_of


@pytest.fixture
async def bridge(tmp_path: Path, redis: Redis, redis_url: str, fake_slack: FakeSlack) -> AsyncIterator[InProcessBridge]:
    running = InProcessBridge(tmp_path, redis, redis_url, fake_slack,
                              slack_overrides(fake_slack, mode="socket", signing_secret=""))
    await running.start()
    yield running
    await running.stop()


async def test_socket_mode_connects_with_the_app_token_and_mounts_no_endpoint(bridge: InProcessBridge) -> None:
    fake = bridge.fake
    [opened] = fake.calls_to("apps.connections.open", ok=True)
    assert opened.ok
    ready = await bridge.readyz()
    assert ready.json()["checks"]["slack"]["ok"] is True, ready.text
    assert "socket mode" in ready.json()["checks"]["slack"]["detail"]
    async with httpx.AsyncClient() as client:
        unsigned = await client.post(f"{bridge.url}/slack/events", content=b"{}")
    assert unsigned.status_code == 404


async def test_a_slash_command_over_the_socket_is_acked_and_answered(bridge: InProcessBridge) -> None:
    fake = bridge.fake
    ack = await fake.socket_send("slash_commands", {
        "command": "/csr", "text": "help", "user_id": "UALICE", "channel_id": "CGENERAL", "team_id": "TFAKE",
        "response_url": fake.response_url(), "trigger_id": "trigger-1"})
    assert "envelope_id" in ack
    await fake.wait_for(lambda: fake.hooks)
    assert "csr help" in str(fake.hooks[0]["blocks"])


async def test_thread_replies_over_the_socket_reach_the_customer_once(bridge: InProcessBridge) -> None:
    fake = bridge.fake
    chat = await active_chat(bridge.app)
    channel, root = await thread_of(bridge, chat)
    body = {"type": "event_callback", "team_id": "TFAKE", "event_id": "EvSock1", "event": {
        "type": "message", "channel": channel, "user": "UALICE", "text": "over the socket", "ts": fake.new_ts(),
        "thread_ts": root}}
    await fake.socket_send("events_api", body)
    await fake.socket_send("events_api", body, retry_attempt=1)
    await bridge.settle()
    sent = [e.text for e in await bridge.app.stream.read_all(chat.id) if e.author.kind is AuthorKind.AGENT]
    assert sent == ["over the socket"]
