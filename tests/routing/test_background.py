"""What `serve` runs for routing: roster sync at start, the timer sweep and position announcements,
left messages shown as ownerless threads, and the metrics routing feeds."""

import asyncio
from pathlib import Path

from redis.asyncio import Redis

from bridge.app import BridgeApp
from bridge.bootstrap import bootstrap
from bridge.domain.agent import Presence
from bridge.domain.chat import ChatState
from bridge.domain.events import EventKind
from reports.scrape import scrape
from routing.background import Lease, run_routing_loops
from testkit.configs import base_raw, make_config
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
from tests.support.recording_surface import RecordingSurface


async def test_roster_sync_applies_capacity_and_signs_off_who_left(tmp_path: Path, redis: Redis,
                                                                   redis_url: str) -> None:
    first = app_with(tmp_path, redis, redis_url)
    await available(first, "alice", "bob")
    await escalated(first, queue="tech")
    offer = await only_offer(first, "bob")
    without_bob = [a for a in agents_with(alice={"capacity": 5}) if a["id"] != "bob"]
    restarted = app_with(tmp_path, redis, redis_url, agents=without_bob, slack=SLACK_ON)
    await restarted.router.sync_roster()
    alice, bob = await restarted.router.state.agent("alice"), await restarted.router.state.agent("bob")
    assert alice.capacity == 5 and alice.presence == Presence.AVAILABLE
    assert bob.presence == Presence.OFFLINE and bob.queues == ()
    assert (await restarted.router.state.offer(offer.id)).state == "withdrawn"


async def test_a_csr_who_left_a_queue_stays_out_after_a_restart(app: BridgeApp) -> None:
    await app.router.leave(app.agent("alice"), "billing")
    await app.router.sync_roster()
    assert (await app.router.state.agent("alice")).queues == ("general",)


async def test_routing_survives_lost_settings_and_agent_records(app: BridgeApp) -> None:
    """A Redis restarted without persistence loses everything; routing writes what it needs again."""
    await available(app, "alice")
    await app.redis.flushdb()
    await available(app, "alice")
    assert (await app.router.state.agent("alice")).presence == Presence.AVAILABLE
    c = await escalated(app)
    assert (await only_offer(app, "alice")).chat_id == c.id


async def test_the_loops_sweep_overdue_timers_and_announce_positions(tmp_path: Path, redis: Redis,
                                                                     redis_url: str) -> None:
    app = app_with(tmp_path, redis, redis_url, queues=queues_with(billing={"max_wait": 60}))
    clock = with_clock(app)
    await signed_in(app, "alice")
    early = await escalated(app, queue="billing")
    clock.tick()
    behind = []
    for _ in range(2):
        clock.tick()
        behind.append(await escalated(app, queue="general"))
    clock.tick(120)  # billing's max-wait job "was lost"; general's is not due
    stop = asyncio.Event()
    loops = asyncio.create_task(run_routing_loops(app.router, stop))
    for _ in range(100):
        if EventKind.POSITION in [e.kind for e in await app.stream.read_all(behind[1].id)]:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await loops
    assert (await chat(app, early.id)).queue == "general", "swept: overflowed, ahead by its place in line"
    positions = [[e.data["position"] for e in await app.stream.read_all(c.id)
                  if e.kind in (EventKind.QUEUED, EventKind.POSITION)] for c in behind]
    assert positions == [[1, 2], [2, 3]]


async def test_one_lease_holder_at_a_time(redis: Redis) -> None:
    a, b = Lease(redis, "csr:lock:test"), Lease(redis, "csr:lock:test")
    assert await a.hold(5000) and not await b.hold(5000) and await a.hold(5000)


async def test_a_left_message_opens_an_ownerless_thread_on_the_platform(tmp_path: Path, redis: Redis,
                                                                        redis_url: str) -> None:
    channels = {q["name"]: f"C{q['name'].upper()}" for q in base_raw()["queues"]}
    slack = {"enabled": True, "bot_token": "xoxb-test", "signing_secret": "secret", "channels": channels}
    app = bootstrap(make_config(tmp_path, redis_url, slack=slack), redis, redis_url)
    surface = RecordingSurface(platform="slack")
    app.surfaces["slack"] = surface
    clock = with_clock(app)
    c = await escalated(app, queue="tech", first="my printer is on fire")
    clock.tick(app.config.queue("tech").max_wait + 1)
    await app.router.sweep(grace=0)
    left = await chat(app, c.id)
    assert (left.state, left.platform, left.agent_id) == (ChatState.MESSAGE, "slack", "")
    await app.delivery.on_change(c.id)
    await app.delivery.idle()
    assert len(surface.threads) == 1
    assert "my printer is on fire" in [e.text for e in surface.delivered]


async def test_routing_feeds_the_offer_and_wait_metrics(app: BridgeApp) -> None:
    await available(app, "alice")
    await escalated(app)
    await app.router.accept((await only_offer(app, "alice")).id, app.agent("alice"), "test")
    await scrape(app.config, app.redis, app.keys, app.chats, app.metrics)
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for m in app.metrics.registry.collect() for s in m.samples}
    assert samples[("csr_offers_total", (("outcome", "offered"), ("queue", "general")))] == 1
    assert samples[("csr_offers_total", (("outcome", "accepted"), ("queue", "general")))] == 1
    assert samples[("csr_wait_seconds_count", (("queue", "general"),))] == 1
