"""Slack events are handled before Slack gets its 200, so a crash or an error never loses one: Slack
delivers it again and the redelivery is handled, once. Found by `make faults` (a): replies in flight when
`serve` was killed were acked (or marked seen) but never stored."""

import asyncio
from typing import Any

import pytest

from bridge.domain.events import EventKind
from tests.slack.bridge import InProcessBridge
from tests.slack.conftest import bridge, fake_slack, slack_settings  # noqa: F401 - fixtures
from tests.slack.helpers import accepted_chat


def _reply(bridge: InProcessBridge, channel: str, root: str, text: str) -> dict[str, Any]:  # noqa: F811
    ts = bridge.fake.new_ts()
    return {"type": "message", "channel": channel, "user": "UALICE", "text": text, "ts": ts, "thread_ts": root,
            "event_ts": ts, "channel_type": "channel"}


async def _texts(bridge: InProcessBridge, chat_id: str) -> list[str]:  # noqa: F811
    return [e.text for e in await bridge.app.stream.read_all(chat_id) if e.kind == EventKind.MESSAGE]


async def test_a_reply_is_stored_before_slack_gets_its_200(bridge: InProcessBridge) -> None:  # noqa: F811
    chat, channel, root = await accepted_chat(bridge)
    response = await bridge.sender.event(_reply(bridge, channel, root, "stored first"), event_id="EvFirst")
    assert response.status_code == 200
    assert "stored first" in await _texts(bridge, chat.id)


async def test_a_reply_that_failed_is_handled_when_slack_delivers_it_again(
        bridge: InProcessBridge, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    chat, channel, root = await accepted_chat(bridge)
    service = bridge.app.service
    real = service.agent_message
    failures = [ConnectionError("Redis went away")]

    async def flaky(*args: Any, **kwargs: Any) -> Any:
        if failures:
            raise failures.pop()
        return await real(*args, **kwargs)

    monkeypatch.setattr(service, "agent_message", flaky)
    event = _reply(bridge, channel, root, "try again")
    first = await bridge.sender.event(event, event_id="EvAgain")
    again = await bridge.sender.event(event, event_id="EvAgain", retry_num=1)
    late = await bridge.sender.event(event, event_id="EvAgain", retry_num=2)
    assert (first.status_code, again.status_code, late.status_code) == (500, 200, 200)
    assert (await _texts(bridge, chat.id)).count("try again") == 1


async def test_a_redelivery_while_the_first_is_handled_comes_back_later(
        bridge: InProcessBridge, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    chat, channel, root = await accepted_chat(bridge)
    service = bridge.app.service
    real, release = service.agent_message, asyncio.Event()

    async def slow(*args: Any, **kwargs: Any) -> Any:
        await release.wait()
        return await real(*args, **kwargs)

    monkeypatch.setattr(service, "agent_message", slow)
    event = _reply(bridge, channel, root, "slow one")
    first = asyncio.create_task(bridge.sender.event(event, event_id="EvSlow"))
    await asyncio.sleep(0.3)
    meanwhile = await bridge.sender.event(event, event_id="EvSlow", retry_num=1)
    release.set()
    assert (await first).status_code == 200
    later = await bridge.sender.event(event, event_id="EvSlow", retry_num=2)
    assert (meanwhile.status_code, later.status_code) == (503, 200)
    assert (await _texts(bridge, chat.id)).count("slow one") == 1
