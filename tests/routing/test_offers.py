"""Offers: one CSR at a time, atomic accept, decline and timeout pass it on, missed offers set away."""

import pytest

from bridge.app import BridgeApp
from bridge.domain.agent import Presence
from bridge.domain.chat import ChatState
from bridge.domain.events import EventKind
from bridge.domain.offer import OfferState
from tests.routing.helpers import all_offers, available, chat, escalated, expire_now, kinds, offers_of, only_offer
from tests.support.events import conversation


async def test_escalation_is_offered_and_accept_makes_the_chat_active(app: BridgeApp) -> None:
    await available(app, "alice")
    c = await escalated(app)
    offer = await only_offer(app, "alice")
    assert offer.chat_id == c.id and offer.state == OfferState.PENDING
    assert (await chat(app, c.id)).state == ChatState.OFFERED
    assert offer.deadline - offer.created_at == app.config.queue("general").offer_timeout

    result = await app.router.accept(offer.id, app.agent("alice"), "slack")

    assert result.status == "accepted"
    after = await chat(app, c.id)
    assert (after.state, after.agent_id, after.platform) == (ChatState.ACTIVE, "alice", "slack")
    assert after.accepted_at >= after.escalated_at > 0
    events = await conversation(app.stream, c.id)
    assert [e.kind for e in events] == [EventKind.MESSAGE, EventKind.QUEUED, EventKind.OFFERED, EventKind.ACCEPTED]
    assert events[-1].data["agent_id"] == "alice" and events[-1].data["agent_name"] == "Alice"
    assert events[-1].customer_visible and not events[2].customer_visible
    assert await app.router.agent_chat_ids("alice") == [c.id]
    assert (await app.router.state.offer(offer.id)).state == OfferState.ACCEPTED


async def test_only_the_offered_csr_can_accept(app: BridgeApp) -> None:
    await available(app, "alice")
    c = await escalated(app)
    offer = await only_offer(app, "alice")
    assert (await app.router.accept(offer.id, app.agent("bob"), "slack")).status == "not_yours"
    assert (await app.router.accept("nope", app.agent("alice"), "slack")).status == "missing"
    assert (await chat(app, c.id)).state == ChatState.OFFERED


async def test_a_second_accept_sees_the_offer_final(app: BridgeApp) -> None:
    await available(app, "alice")
    await escalated(app)
    offer = await only_offer(app, "alice")
    await app.router.accept(offer.id, app.agent("alice"), "test")
    again = await app.router.accept(offer.id, app.agent("alice"), "test")
    assert (again.status, again.get("state")) == ("final", "accepted")


async def test_decline_offers_the_chat_to_the_next_csr(app: BridgeApp) -> None:
    await available(app, "alice", "bob")
    c = await escalated(app)
    [first] = await all_offers(app, c.id)
    declined_by = first.agent_id
    other = "bob" if declined_by == "alice" else "alice"
    assert (await app.router.decline(first.id, app.agent(declined_by))).status == "declined"
    nxt = await only_offer(app, other)
    assert nxt.chat_id == c.id
    assert await offers_of(app, declined_by) == []
    assert EventKind.DECLINED in await kinds(app, c.id)


async def test_no_second_turn_before_the_others_had_theirs_then_a_new_round(app: BridgeApp) -> None:
    await available(app, "alice", "bob", "carol")
    c = await escalated(app)
    seen = []
    for _ in range(3):
        [offer] = await all_offers(app, c.id)
        seen.append(offer.agent_id)
        await app.router.decline(offer.id, app.agent(offer.agent_id))
    assert sorted(seen) == ["alice", "bob", "carol"]
    assert len(await all_offers(app, c.id)) == 1, "after everyone had a turn the chat is offered again"


async def test_timeout_passes_the_chat_on_and_is_a_missed_offer(app: BridgeApp) -> None:
    await available(app, "alice", "bob")
    c = await escalated(app)
    [offer] = await all_offers(app, c.id)
    assert await expire_now(app, offer) == "expired"
    other = "bob" if offer.agent_id == "alice" else "alice"
    assert (await only_offer(app, other)).chat_id == c.id
    assert (await app.router.state.offer(offer.id)).state == OfferState.EXPIRED
    assert (await app.router.state.agent(offer.agent_id)).missed == 1
    assert EventKind.MISSED in await kinds(app, c.id)


async def test_an_expired_offer_cannot_be_accepted_and_a_late_timer_does_nothing(app: BridgeApp) -> None:
    await available(app, "alice")
    await escalated(app)
    offer = await only_offer(app, "alice")
    app.router.clock = lambda: offer.deadline + 1
    assert (await app.router.accept(offer.id, app.agent("alice"), "test")).status == "expired"
    assert (await app.router.expire(offer.id)).status == "stale"


async def test_a_timer_for_an_answered_offer_does_nothing(app: BridgeApp) -> None:
    await available(app, "alice")
    c = await escalated(app)
    offer = await only_offer(app, "alice")
    await app.router.accept(offer.id, app.agent("alice"), "test")
    assert await expire_now(app, offer) == "stale"
    assert (await chat(app, c.id)).state == ChatState.ACTIVE


async def test_early_timer_waits(app: BridgeApp) -> None:
    await available(app, "alice")
    await escalated(app)
    offer = await only_offer(app, "alice")
    result = await app.router.expire(offer.id)
    assert result.status == "early" and result.get("due") == pytest.approx(offer.deadline, abs=1e-3)


async def test_missed_offers_in_a_row_set_the_csr_away_and_tell_them(app: BridgeApp) -> None:
    await available(app, "alice")
    first = await escalated(app, name="Ann")
    await expire_now(app, await only_offer(app, "alice"))  # re-offered to alice: nobody else is there
    assert (await app.router.state.agent("alice")).missed == 1
    await expire_now(app, await only_offer(app, "alice"))
    state = await app.router.state.agent("alice")
    assert state.presence == Presence.AWAY and state.pending == 0
    assert (await chat(app, first.id)).state == ChatState.WAITING
    notices = await app.redis.xrange(app.keys.notices)
    assert [n[1]["agent"] for n in notices] == ["alice"]
    assert "set away after 2 missed offers" in notices[0][1]["text"]


async def test_an_answer_resets_the_missed_count(app: BridgeApp) -> None:
    await available(app, "alice")
    await escalated(app)
    await expire_now(app, await only_offer(app, "alice"))
    await app.router.accept((await only_offer(app, "alice")).id, app.agent("alice"), "test")
    assert (await app.router.state.agent("alice")).missed == 0


async def test_going_away_withdraws_pending_offers_and_reroutes(app: BridgeApp) -> None:
    await available(app, "alice")
    c = await escalated(app)
    offer = await only_offer(app, "alice")
    await app.router.set_presence(app.agent("alice"), Presence.AWAY)
    assert (await app.router.state.offer(offer.id)).state == OfferState.WITHDRAWN
    assert (await chat(app, c.id)).state == ChatState.WAITING
    await available(app, "bob")
    assert (await only_offer(app, "bob")).chat_id == c.id
