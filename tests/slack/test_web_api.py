"""The paced, retrying Web API door against the fake Slack: 429 Retry-After, transient errors, people needed."""

import asyncio
from dataclasses import dataclass, field, replace

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.forms import SlackForms
from adapters.slack.offers import OfferCards
from adapters.slack.pacing import ChannelPacer
from adapters.slack.problems import slack_errors
from adapters.slack.responder import ReplyTo, Responder
from adapters.slack.webapi import SlackCalls
from bridge.app import BridgeApp
from bridge.commands.replies import FileReply
from bridge.platform_problems import NeedsPerson, PlatformErrors, Problem
from testkit.fake_slack import FakeSlack
from tests.slack.bridge import InProcessBridge
from tests.slack.helpers import active_chat, thread_of

CHANNEL = "CGENERAL"


@dataclass
class Door:
    calls: SlackCalls
    errors: PlatformErrors
    reports: list[Problem] = field(default_factory=list)

    async def post(self, **kwargs: object) -> object:
        return await self.calls.post(**kwargs)


@pytest.fixture
async def door(app: BridgeApp, fake_slack: FakeSlack) -> Door:
    client = AsyncWebClient(token=fake_slack.bot_token, base_url=fake_slack.api_url)
    errors = slack_errors(app.redis, app.keys)
    made = Door(SlackCalls(client, ChannelPacer(20.0, 4), errors, app.metrics), errors)

    async def report(problem: Problem) -> None:
        made.reports.append(problem)

    errors.reporter = report
    return made


async def test_a_429_waits_its_retry_after_then_posts_once(door: Door, fake_slack: FakeSlack) -> None:
    fake_slack.rate_limit("chat.postMessage", retry_after=1)
    await door.post(channel=CHANNEL, text="after the wait")
    limited, posted = fake_slack.calls_to("chat.postMessage")
    assert (limited.status, posted.ok) == (429, True)
    assert posted.at - limited.at >= 1.0
    assert [m["text"] for m in fake_slack.messages[CHANNEL]] == ["after the wait"]


async def test_transient_errors_are_retried(door: Door, fake_slack: FakeSlack) -> None:
    fake_slack.fail("chat.postMessage", "internal_error", times=2)
    await door.post(channel=CHANNEL, text="third time lucky")
    assert [c.ok for c in fake_slack.calls_to("chat.postMessage")] == [False, False, True]
    assert len(fake_slack.messages[CHANNEL]) == 1


async def test_an_error_that_needs_a_person_is_raised_recorded_reported_once_and_cleared(
        door: Door, fake_slack: FakeSlack, app: BridgeApp) -> None:
    fake_slack.not_in_channel.add(CHANNEL)
    for _ in range(2):
        with pytest.raises(NeedsPerson) as raised:
            await door.post(channel=CHANNEL, text="hello?")
    assert raised.value.error == "not_in_channel"
    assert len(fake_slack.calls_to("chat.postMessage")) == 2, "not retried: retrying can't fix it"
    [entry] = await door.errors.current()
    assert (entry.error, entry.place) == ("not_in_channel", CHANNEL)
    assert "/invite" in entry.fix
    assert len(door.reports) == 1
    fake_slack.not_in_channel.clear()
    await door.post(channel=CHANNEL, text="hello!")
    assert await door.errors.current() == []


async def test_missing_scope_names_the_scope(door: Door, fake_slack: FakeSlack) -> None:
    fake_slack.fail("chat.postMessage", "missing_scope", needed="chat:write.customize")
    with pytest.raises(NeedsPerson):
        await door.post(channel=CHANNEL, text="as the customer", username="Ann")
    [entry] = await door.errors.current()
    assert "chat:write.customize" in entry.fix


async def test_concurrent_threads_keep_their_order_without_429(door: Door, fake_slack: FakeSlack) -> None:
    fake_slack.post_rate = 20.0

    async def thread(name: str) -> None:
        for n in range(8):
            await door.post(channel=CHANNEL, text=f"{name}{n}")

    await asyncio.gather(thread("a"), thread("b"), thread("c"))
    posted = [m["text"] for m in fake_slack.messages[CHANNEL]]
    for name in "abc":
        assert [t for t in posted if t[0] == name] == [f"{name}{n}" for n in range(8)]
    assert fake_slack.calls_to("chat.postMessage", ok=False) == []


async def test_a_revoked_token_shows_on_readyz_and_nothing_is_lost(bridge: InProcessBridge) -> None:
    fake = bridge.fake
    chat = await active_chat(bridge.app, first="are you there?")
    channel, root = await thread_of(bridge, chat)
    await fake.wait_for(lambda: any(m["text"] == "are you there?" for m in fake.thread(channel, root)))
    good = fake.bot_token
    fake.bot_token = "xoxb-rotated"
    await bridge.app.service.customer_message(chat.id, "hello??")
    await fake.wait_for(lambda: fake.calls_to("chat.postMessage", ok=False))
    ready = await bridge.readyz()
    assert ready.status_code == 503
    assert "invalid_auth" in ready.json()["checks"]["slack"]["detail"]
    fake.bot_token = good
    await fake.wait_for(lambda: any(m["text"] == "hello??" for m in fake.thread(channel, root)), timeout=30)
    assert (await bridge.readyz()).status_code == 200


async def test_a_file_reply_goes_to_the_dm_unless_public(door: Door, fake_slack: FakeSlack, app: BridgeApp) -> None:
    responder = Responder(door.calls, OfferCards(door.calls, app.redis, app.keys),
                          SlackForms(door.calls, app.redis, app.keys))
    root = (await door.post(channel=CHANNEL, text="root"))["ts"]
    chart = FileReply("report.png", "image/png", b"\x89PNG chart", comment="Today's <numbers>")
    await responder.send(chart, ReplyTo(user="USAM", channel=CHANNEL, thread=root))
    await responder.send(replace(chart, public=True), ReplyTo(user="USAM", channel=CHANNEL, thread=root))
    private, public = [u for u in fake_slack.uploads.values() if u.get("channel")]
    assert (private["channel"], private["thread_ts"], private["data"]) == ("DUSAM", None, b"\x89PNG chart")
    assert (public["channel"], public["thread_ts"]) == (CHANNEL, root)
    assert fake_slack.messages["DUSAM"][0]["text"] == "Today's &lt;numbers&gt;"
