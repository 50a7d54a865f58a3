"""Waiting customers: position and estimated wait, max wait overflow or a left message, idle close."""

import asyncio
from pathlib import Path

from redis.asyncio import Redis

from bridge.app import BridgeApp
from bridge.domain.chat import ChatState
from bridge.domain.events import EventKind
from tests.routing.helpers import (
    SLACK_ON,
    agents_with,
    app_with,
    available,
    chat,
    escalated,
    only_offer,
    queues_with,
    signed_in,
    with_clock,
)


async def positions(app: BridgeApp, chat_id: str) -> list[int]:
    return [e.data["position"] for e in await app.stream.read_all(chat_id)
            if e.kind in (EventKind.QUEUED, EventKind.POSITION)]


async def test_customers_are_told_their_position_and_wait_as_the_line_moves(tmp_path: Path, redis: Redis,
                                                                            redis_url: str) -> None:
    app = app_with(tmp_path, redis, redis_url, agents=agents_with(alice={"capacity": 1}))
    await signed_in(app, "alice")
    chats = [await escalated(app, name=f"C{i}") for i in range(3)]
    queued = [e for e in await app.stream.read_all(chats[2].id) if e.kind == EventKind.QUEUED][0]
    assert queued.data["position"] == 3 and queued.customer_visible
    assert "estimated_wait" not in queued.data, "nobody answered in this queue yet: no invented wait"
    assert await app.router.positions.tick() == 0, "nothing changed since they were queued"
    await available(app, "alice")  # takes C0 off the line
    assert await app.router.positions.tick() == 2
    assert await positions(app, chats[1].id) == [2, 1]
    assert await positions(app, chats[2].id) == [3, 2]
    last = (await app.stream.read_all(chats[2].id))[-1]
    assert last.kind == EventKind.POSITION and last.data == {"queue": "general", "position": 2}
    assert last.customer_visible
    assert await app.router.positions.tick() == 0


async def test_estimates_follow_the_answer_rate(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = app_with(tmp_path, redis, redis_url, agents=agents_with(alice={"capacity": 1}))
    clock = with_clock(app)
    await available(app, "alice")
    for _ in range(3):
        c = await escalated(app)
        await app.router.accept((await only_offer(app, "alice")).id, app.agent("alice"), "test")
        clock.tick(10)
        await app.router.close(c.id, "test", "test")
    await escalated(app)  # offered to alice at once
    waiting = await escalated(app)
    queued = [e for e in await app.stream.read_all(waiting.id) if e.kind == EventKind.QUEUED][0]
    assert queued.data["estimated_wait"] == 10
    clock.tick(3600)  # the last answer is an hour old: no longer a recent answer to go by
    later = await escalated(app)
    queued = [e for e in await app.stream.read_all(later.id) if e.kind == EventKind.QUEUED][0]
    assert queued.data["position"] == 2 and "estimated_wait" not in queued.data


async def test_max_wait_overflows_to_the_configured_queue(app: BridgeApp) -> None:
    clock = with_clock(app)
    await signed_in(app, "alice")
    c = await escalated(app, queue="billing")
    seq = (await app.redis.hget(app.keys.chat_routing(c.id), "seq"))
    assert (await app.router.overflow(c.id, seq)).status == "early"
    clock.tick(app.config.queue("billing").max_wait + 1)
    assert (await app.router.overflow(c.id, seq)).status == "overflowed"
    moved = await chat(app, c.id)
    assert (moved.state, moved.queue) == (ChatState.WAITING, "general")
    overflowed = (await app.stream.read_all(c.id))[-1]
    assert overflowed.kind == EventKind.OVERFLOWED and overflowed.data["to"] == "general"
    assert (await app.router.overflow(c.id, seq)).status == "stale", "a timer for an earlier stay does nothing"
    await available(app, "bob")
    assert (await only_offer(app, "bob")).chat_id == c.id


async def test_with_no_overflow_queue_the_customer_may_leave_a_message(tmp_path: Path, redis: Redis,
                                                                      redis_url: str) -> None:
    app = app_with(tmp_path, redis, redis_url, slack=SLACK_ON)
    clock = with_clock(app)
    await signed_in(app, "bob")
    c = await escalated(app, queue="general")
    clock.tick(app.config.queue("general").max_wait + 1)
    assert (await app.router.fire(f"wait:{c.id}:1")).status == "overflowed"
    left = await chat(app, c.id)
    assert left.state == ChatState.MESSAGE and c.id in await app.chats.open_ids()
    last = (await app.stream.read_all(c.id))[-1]
    assert last.kind == EventKind.OVERFLOWED and last.data["message"] is True and last.data["reason"] == "max_wait"
    assert "leave a message" in last.text
    kept = await app.service.customer_message(c.id, "please call me back")
    assert kept.id == await app.stream.last_id(c.id)
    assert await app.redis.zrange(app.keys.queue_messages("general"), 0, -1) == [c.id]
    await available(app, "alice")
    assert (await chat(app, c.id)).state == ChatState.MESSAGE, "a left message is not offered as a live chat"


async def test_an_offered_chat_overflows_only_if_its_offer_ends_unanswered(app: BridgeApp) -> None:
    clock = with_clock(app)
    await available(app, "alice")
    c = await escalated(app, queue="billing")
    clock.tick(app.config.queue("billing").max_wait + 1)
    assert (await app.router.overflow(c.id, "1")).status == "deferred"
    assert (await chat(app, c.id)).state == ChatState.OFFERED
    await app.router.decline((await only_offer(app, "alice")).id, app.agent("alice"))
    moved = await chat(app, c.id)
    assert moved.queue == "general"


async def test_max_wait_timer_after_accept_does_nothing(app: BridgeApp) -> None:
    clock = with_clock(app)
    await available(app, "alice")
    c = await escalated(app)
    await app.router.accept((await only_offer(app, "alice")).id, app.agent("alice"), "test")
    clock.tick(10_000)
    assert (await app.router.overflow(c.id, "1")).status == "stale"
    assert (await chat(app, c.id)).state == ChatState.ACTIVE


async def test_idle_customer_closes_the_chat_and_a_message_re_arms_the_timer(app: BridgeApp) -> None:
    clock = with_clock(app)
    timeout = app.config.routing.customer_idle_timeout
    await available(app, "alice")
    c = await escalated(app)
    await app.router.accept((await only_offer(app, "alice")).id, app.agent("alice"), "test")
    accepted_at = (await chat(app, c.id)).accepted_at
    assert (await app.router.idle_check(c.id)).status == "early"
    await asyncio.sleep(0.05)  # the customer's message lands clearly after the accept
    await app.service.customer_message(c.id, "one more thing")
    sent_at = (await app.stream.read_all(c.id))[-1].ts
    clock.t = accepted_at + timeout + (sent_at - accepted_at) / 2  # due, and the message is in the window
    rearmed = await app.router.idle_check(c.id)
    assert rearmed.status == "active" and rearmed.timers[0][1] >= sent_at + timeout - 1
    clock.t = rearmed.timers[0][1] + 1
    assert (await app.router.idle_check(c.id)).status == "closed"
    closed = await chat(app, c.id)
    assert closed.state == ChatState.CLOSED and closed.close_reason == "idle"
    assert (await app.router.state.agent("alice")).load == 0


async def test_the_routing_feed_reports_every_change_with_timestamps(app: BridgeApp) -> None:
    await available(app, "alice", "bob")
    c = await escalated(app)
    offer = (await only_offer(app, "alice"))
    await app.router.decline(offer.id, app.agent("alice"))
    await app.router.accept((await only_offer(app, "bob")).id, app.agent("bob"), "test")
    await app.router.close(c.id, "agent_ended", "bob")
    rows = [f for _id, f in await app.redis.xrange(app.keys.routing_events) if f["chat"] == c.id]
    assert [r["kind"] for r in rows] == ["queued", "offered", "declined", "offered", "accepted", "closed"]
    assert all(float(r["ts"]) > 0 for r in rows)
    assert [r["agent"] for r in rows[1:]] == ["alice", "alice", "bob", "bob", "bob"]


async def test_overflow_chain_follows_config(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = app_with(tmp_path, redis, redis_url, queues=queues_with(tech={"overflow": "billing"}))
    clock = with_clock(app)
    await signed_in(app, "carol")
    c = await escalated(app, queue="tech")
    clock.tick(app.config.queue("tech").max_wait + 1)
    await app.router.sweep(grace=0)
    assert (await chat(app, c.id)).queue == "billing"
    clock.tick(app.config.queue("billing").max_wait + 1)
    await app.router.sweep(grace=0)
    assert (await chat(app, c.id)).queue == "general"
