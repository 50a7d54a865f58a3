"""Queues: strategies, skills, priority and first-in first-out, capacity, who gets what when available."""

from pathlib import Path

from redis.asyncio import Redis

from bridge.app import BridgeApp
from bridge.domain.chat import ChatState, Customer
from tests.routing.helpers import (
    agents_with,
    all_offers,
    app_with,
    available,
    chat,
    escalated,
    offers_of,
    only_offer,
    queues_with,
    signed_in,
    with_clock,
)


async def take(app: BridgeApp, chat_id: str) -> str:
    """Accepts the chat's only offer; returns who got it."""
    [offer] = await all_offers(app, chat_id)
    assert (await app.router.accept(offer.id, app.agent(offer.agent_id), "test")).status == "accepted"
    return offer.agent_id


async def test_least_busy_fewest_chats_then_longest_since_accept_then_earliest_available(app: BridgeApp) -> None:
    clock = with_clock(app)
    await available(app, "alice")
    clock.tick()
    await available(app, "bob")
    clock.tick()
    first = await escalated(app)
    assert await take(app, first.id) == "alice", "tie on chats and accepts: earliest available"
    clock.tick()
    second = await escalated(app)
    assert await take(app, second.id) == "bob", "fewest open chats"
    clock.tick()
    await app.router.close(first.id, "test", "test")
    await app.router.close(second.id, "test", "test")
    third = await escalated(app)
    assert await take(app, third.id) == "alice", "alice accepted longest ago"


async def test_longest_idle(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = app_with(tmp_path, redis, redis_url, queues=queues_with(general={"strategy": "longest-idle"}))
    clock = with_clock(app)
    await available(app, "alice")
    clock.tick()
    await available(app, "bob")
    clock.tick()
    first = await escalated(app)
    assert await take(app, first.id) == "alice"
    clock.tick()
    second = await escalated(app)
    assert await take(app, second.id) == "bob", "alice's accept made her the less idle"
    clock.tick()
    await app.router.close(second.id, "test", "test")
    clock.tick()
    await app.router.close(first.id, "test", "test")
    third = await escalated(app)
    assert await take(app, third.id) == "bob", "bob's chat ended first"


async def test_round_robin_takes_turns_whatever_the_load(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = app_with(tmp_path, redis, redis_url, queues=queues_with(general={"strategy": "round-robin"}),
                   agents=agents_with(alice={"capacity": 5}, bob={"capacity": 5}, carol={"capacity": 5}))
    clock = with_clock(app)
    for agent in ("alice", "bob", "carol"):
        await available(app, agent)
        clock.tick()
    order = []
    for _ in range(5):
        c = await escalated(app)
        order.append(await take(app, c.id))
    assert order == ["alice", "bob", "carol", "alice", "bob"]


async def test_broadcast_offers_everyone_first_accept_wins_others_are_freed(tmp_path: Path, redis: Redis,
                                                                            redis_url: str) -> None:
    app = app_with(tmp_path, redis, redis_url, queues=queues_with(general={"strategy": "broadcast"}),
                   agents=agents_with(alice={"capacity": 1}, bob={"capacity": 1}, carol={"capacity": 1}))
    await available(app, "alice", "bob", "carol")
    c = await escalated(app)
    offers = await all_offers(app, c.id)
    assert sorted(o.agent_id for o in offers) == ["alice", "bob", "carol"]
    winner = next(o for o in offers if o.agent_id == "bob")
    assert (await app.router.accept(winner.id, app.agent("bob"), "test")).status == "accepted"
    states = {o.agent_id: (await app.router.state.offer(o.id)).state for o in offers}
    assert states == {"alice": "taken", "bob": "accepted", "carol": "taken"}
    assert {(await app.router.state.offer(o.id)).taken_by for o in offers if o.agent_id != "bob"} == {"bob"}
    second = await escalated(app)
    assert sorted(o.agent_id for o in await all_offers(app, second.id)) == ["alice", "carol"]


async def test_skills_decide_who_is_eligible(app: BridgeApp) -> None:
    await available(app, "alice")
    await signed_in(app, "bob")
    c = await escalated(app, queue="tech")
    assert (await chat(app, c.id)).state == ChatState.WAITING
    await available(app, "bob")
    assert (await only_offer(app, "bob")).chat_id == c.id
    assert all(o.chat_id != c.id for o in await offers_of(app, "alice"))


async def test_higher_priority_first_then_first_in_first_out(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = app_with(tmp_path, redis, redis_url, agents=agents_with(alice={"capacity": 1}))
    clock = with_clock(app)
    await signed_in(app, "alice")
    low_old = await escalated(app, name="Old", priority=0)
    clock.tick()
    low_new = await escalated(app, name="New", priority=0)
    clock.tick()
    high = await escalated(app, name="Urgent", priority=1)
    await available(app, "alice")
    served = []
    for _ in range(3):
        offer = await only_offer(app, "alice")
        served.append(offer.chat_id)
        await app.router.accept(offer.id, app.agent("alice"), "test")
        await app.router.close(offer.chat_id, "test", "test")
    assert served == [high.id, low_old.id, low_new.id]


async def test_customer_attributes_raise_priority(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = app_with(tmp_path, redis, redis_url, agents=agents_with(alice={"capacity": 1}),
                   routing={"priorities": [{"attribute": "plan", "value": "enterprise", "priority": 5}]})
    clock = with_clock(app)
    await signed_in(app, "alice")
    plain = await escalated(app, name="Plain")
    clock.tick()
    vip = await escalated(app, name="Vip", attributes={"plan": "enterprise"})
    assert (vip.priority, plain.priority) == (5, 0)
    await available(app, "alice")
    assert (await only_offer(app, "alice")).chat_id == vip.id


async def test_capacity_limits_offers_until_a_chat_closes(app: BridgeApp) -> None:
    await available(app, "alice")
    chats = [await escalated(app, queue="billing", name=n) for n in ("A", "B", "C")]
    offered = await offers_of(app, "alice")
    assert [o.chat_id for o in offered] == [chats[0].id, chats[1].id]
    assert (await chat(app, chats[2].id)).state == ChatState.WAITING
    for offer in offered:
        await app.router.accept(offer.id, app.agent("alice"), "test")
    assert await offers_of(app, "alice") == []
    await app.router.close(chats[0].id, "customer_ended", "customer")
    assert (await only_offer(app, "alice")).chat_id == chats[2].id


async def test_becoming_available_takes_the_oldest_highest_priority_chat_over_all_queues(
        tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = app_with(tmp_path, redis, redis_url, agents=agents_with(alice={"capacity": 1}))
    clock = with_clock(app)
    await signed_in(app, "alice")
    general = await escalated(app, queue="general")
    clock.tick()
    billing_urgent = await escalated(app, queue="billing", priority=2)
    clock.tick()
    await escalated(app, queue="billing")
    await available(app, "alice")
    assert (await only_offer(app, "alice")).chat_id == billing_urgent.id
    await app.router.decline((await only_offer(app, "alice")).id, app.agent("alice"))
    assert (await only_offer(app, "alice")).chat_id == general.id, "then the oldest she was not offered yet"


async def test_a_verified_attribute_rule_sends_the_chat_to_its_queue_and_skills(tmp_path: Path, redis: Redis,
                                                                              redis_url: str) -> None:
    rule = {"attribute": "plan", "value": "enterprise", "priority": 5, "queue": "tech"}
    app = app_with(tmp_path, redis, redis_url, routing={"priorities": [rule]})
    await available(app, "alice")
    await available(app, "bob")
    vip = await escalated(app, name="Vip", attributes={"plan": "enterprise"})
    claimed = await app.service.start_chat(Customer(name="Claims", claimed={"plan": "enterprise"}), "question",
                                           "general", 0, "hello")
    await app.service.escalate(claimed.id)
    assert (vip.queue, vip.priority) == ("tech", 5)
    assert [o.chat_id for o in await offers_of(app, "bob")] == [vip.id], "bob has the tech skill"
    assert vip.id not in [o.chat_id for o in await offers_of(app, "alice")], "alice lacks it"
    assert (await chat(app, claimed.id)).queue == "general", "an unsigned claim never routes"
