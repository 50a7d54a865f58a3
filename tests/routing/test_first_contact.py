"""Nobody is promised a person who can't come: who is signed in for a queue (or its overflow chain) decides
at once whether a chat waits in line, moves along the chain, or goes to leaving a message."""

from pathlib import Path

import pytest
from redis.asyncio import Redis

import routing.positions
from bridge.app import BridgeApp
from bridge.domain.agent import Presence
from bridge.domain.chat import ChatState
from bridge.domain.events import EventKind
from tests.routing.helpers import (
    SLACK_ON,
    agents_with,
    app_with,
    available,
    chat,
    escalated,
    kinds,
    offers_of,
    only_offer,
    run,
    signed_in,
)


@pytest.fixture
def slack_app(tmp_path: Path, redis: Redis, redis_url: str) -> BridgeApp:
    """Slack enabled with a channel per queue, so a left message has a thread to show in."""
    return app_with(tmp_path, redis, redis_url, slack=SLACK_ON)


async def last_event(app: BridgeApp, chat_id: str):  # noqa: ANN201 (a ChatEvent)
    return (await app.stream.read_all(chat_id))[-1]


async def wait_timers(app: BridgeApp) -> list[str]:
    return [m for m in await app.redis.zrange(app.keys.routing_timers, 0, -1) if m.startswith("wait:")]


async def test_with_nobody_signed_in_escalating_leaves_a_message_at_once(slack_app: BridgeApp) -> None:
    app = slack_app
    c = await escalated(app, queue="general")
    left = await chat(app, c.id)
    assert (left.state, left.platform, left.queue) == (ChatState.MESSAGE, "slack", "general")
    assert EventKind.QUEUED not in await kinds(app, c.id), "never put in a line nobody serves"
    told = await last_event(app, c.id)
    assert told.kind == EventKind.OVERFLOWED and told.customer_visible
    assert told.data == {"from": "general", "to": "", "message": True, "reason": "nobody_signed_in"}
    assert await wait_timers(app) == [], "no max-wait timer: the customer is not made to wait for nobody"
    assert await app.redis.zrange(app.keys.queue_messages("general"), 0, -1) == [c.id]


async def test_offline_csrs_do_not_count_but_away_ones_do(slack_app: BridgeApp) -> None:
    app = slack_app
    await available(app, "alice")
    await app.router.set_presence(app.agent("alice"), Presence.OFFLINE)
    gone = await escalated(app, queue="billing")
    assert (await chat(app, gone.id)).state == ChatState.MESSAGE
    await signed_in(app, "alice")
    waits = await escalated(app, queue="billing")
    assert (await chat(app, waits.id)).state == ChatState.WAITING, "away is signed in: she comes back"


async def test_a_csr_who_left_the_queue_or_lacks_its_skills_does_not_count(slack_app: BridgeApp) -> None:
    app = slack_app
    await signed_in(app, "bob")  # general and tech, no billing skill
    assert (await chat(app, (await escalated(app, queue="billing")).id)).state == ChatState.WAITING, \
        "billing overflows to general, where bob is"
    await run(app, "bob", "csr leave general")
    c = await escalated(app, queue="billing")
    assert (await chat(app, c.id)).state == ChatState.MESSAGE


async def test_a_queue_nobody_serves_hands_its_chats_to_the_first_staffed_queue_of_its_chain(
        slack_app: BridgeApp) -> None:
    app = slack_app
    await signed_in(app, "bob")
    c = await escalated(app, queue="billing")
    moved = await chat(app, c.id)
    assert (moved.state, moved.queue) == (ChatState.WAITING, "general")
    queued = [e for e in await app.stream.read_all(c.id) if e.kind == EventKind.QUEUED]
    assert [e.data["queue"] for e in queued] == ["general"]
    assert await wait_timers(app) == [f"wait:{c.id}:1"], "general's max wait, not billing's"


async def test_with_no_platform_to_show_a_message_the_chat_ends_and_says_why(app: BridgeApp) -> None:
    """No CSR platform is enabled (the shipped example): nobody could read a left message either."""
    await available(app, "alice")  # whatever Redis says, no enabled platform reaches her after a restart
    await app.router.set_presence(app.agent("alice"), Presence.OFFLINE)
    c = await escalated(app)
    ended = await chat(app, c.id)
    assert (ended.state, ended.close_reason) == (ChatState.CLOSED, "unavailable")
    told = await last_event(app, c.id)
    assert told.kind == EventKind.CLOSED and told.data["reason"] == "unavailable" and told.customer_visible
    assert c.id not in await app.chats.open_ids()


async def test_when_the_last_csr_signs_off_the_waiting_line_moves_on(slack_app: BridgeApp,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    app = slack_app
    monkeypatch.setattr(routing.positions, "PAGE", 2)  # several pages of the line
    await signed_in(app, "bob", "carol")
    line = [await escalated(app, queue="tech", name=f"C{i}") for i in range(5)]
    await app.router.positions.tick()
    await app.router.set_presence(app.agent("bob"), Presence.OFFLINE)
    await app.router.positions.tick()
    assert {(await chat(app, c.id)).state for c in line} == {ChatState.WAITING}, "carol is still signed in"
    await app.router.set_presence(app.agent("carol"), Presence.OFFLINE)
    await app.router.positions.tick()
    assert [(await chat(app, c.id)).state for c in line] == [ChatState.MESSAGE] * 5
    assert await app.redis.zcard(app.keys.queue_waiting("tech")) == 0
    assert await wait_timers(app) == []
    reasons = [(await last_event(app, c.id)).data.get("reason") for c in line]
    assert reasons == ["nobody_signed_in"] * 5


async def test_a_line_left_without_csrs_moves_along_the_chain_in_order(slack_app: BridgeApp) -> None:
    app = slack_app
    await signed_in(app, "alice", "bob")
    first = await escalated(app, queue="billing", name="First")
    second = await escalated(app, queue="billing", name="Second")
    await run(app, "alice", "csr leave billing")
    await app.router.positions.tick()
    assert [(await chat(app, c.id)).queue for c in (first, second)] == ["general", "general"]
    assert await app.router.state.waiting("general") == [first.id, second.id], "they keep their place in time"
    await available(app, "bob")
    assert [o.chat_id for o in await offers_of(app, "bob")] == [first.id, second.id]


async def test_a_transfer_or_a_move_to_a_queue_nobody_serves_is_refused(slack_app: BridgeApp) -> None:
    app = slack_app
    await available(app, "alice")
    c = await escalated(app, name="Ann")
    await app.router.accept((await only_offer(app, "alice")).id, app.agent("alice"), "test")
    reply = await run(app, "alice", "csr transfer tech", chat_id=c.id)
    assert reply.text == "Nobody who could take Tech support is signed in; the chat stays with you."  # type: ignore
    kept = await chat(app, c.id)
    assert (kept.state, kept.agent_id) == (ChatState.ACTIVE, "alice")
    reply = await run(app, "sam", f"csr reassign {c.id} tech")
    assert "Nobody who could take Tech support is signed in" in reply.text  # type: ignore[attr-defined]
    assert (await chat(app, c.id)).agent_id == "alice"


async def test_roster_sync_signs_off_csrs_no_enabled_platform_reaches(tmp_path: Path, redis: Redis,
                                                                      redis_url: str) -> None:
    before = app_with(tmp_path, redis, redis_url, slack=SLACK_ON)
    await available(before, "alice", "bob")
    matrix_only = agents_with(bob={"slack_user_id": ""})
    after = app_with(tmp_path, redis, redis_url, agents=matrix_only, slack=SLACK_ON)
    await after.router.sync_roster()
    assert (await after.router.state.agent("alice")).presence == Presence.AVAILABLE
    assert (await after.router.state.agent("bob")).presence == Presence.OFFLINE, "Matrix is off: offers can't reach"
    c = await escalated(after, queue="tech")
    assert (await chat(after, c.id)).state == ChatState.MESSAGE
