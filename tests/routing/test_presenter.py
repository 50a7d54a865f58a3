"""Offer cards: shown once per platform even with several processes, updated when the offer ends."""

import asyncio

from bridge.app import BridgeApp
from bridge.domain.offer import OfferState
from routing.offers import OfferPresenter
from tests.routing.helpers import available, escalated, only_offer
from tests.support.recording_surface import RecordingSurface


def presenter(app: BridgeApp, surface: RecordingSurface) -> OfferPresenter:
    """A presenter as another serve process would have it: same Redis, its own platform client."""
    return OfferPresenter(app.redis, app.keys, app.config, app.chats, app.stream, {surface.platform: surface},
                          app.router.state)


async def test_two_processes_show_the_card_once_and_update_it_once(app: BridgeApp) -> None:
    await available(app, "alice")
    c = await escalated(app, name="Ann", first="my invoice is wrong")
    offer = await only_offer(app, "alice")
    one, two = RecordingSurface(), RecordingSurface()
    p1, p2 = presenter(app, one), presenter(app, two)
    await asyncio.gather(*(p.on_change(offer.id) for p in (p1, p2, p1, p2)))
    shows = [v for s in (one, two) for kind, v in s.offers if kind == "show"]
    assert len(shows) == 1
    view = shows[0]
    assert (view.offer.id, view.chat.id, view.queue_display_name) == (offer.id, c.id, "General")
    assert view.first_message == "my invoice is wrong" and view.waited_seconds >= 0

    await app.router.accept(offer.id, app.agent("alice"), "test")
    await asyncio.gather(p1.on_change(offer.id), p2.on_change(offer.id))
    updates = [v for s in (one, two) for kind, v in s.offers if kind == "update"]
    assert [u.offer.state for u in updates] == [OfferState.ACCEPTED]
    assert await app.redis.smembers(app.keys.offer_cards_open) == set()


async def test_an_offer_that_ended_before_it_was_shown_is_not_shown(app: BridgeApp) -> None:
    await available(app, "alice")
    await escalated(app)
    offer = await only_offer(app, "alice")
    await app.router.decline(offer.id, app.agent("alice"))
    surface = RecordingSurface()
    await presenter(app, surface).on_change(offer.id)
    assert [kind for kind, v in surface.offers if v.offer.id == offer.id] == []


async def test_catch_up_shows_pending_offers_after_a_restart(app: BridgeApp) -> None:
    await available(app, "alice")
    await escalated(app)
    offer = await only_offer(app, "alice")
    surface = RecordingSurface()
    await presenter(app, surface).catch_up()
    assert [(kind, v.offer.id) for kind, v in surface.offers] == [("show", offer.id)]


async def test_the_feed_drives_the_presenter(app: BridgeApp) -> None:
    surface = RecordingSurface()
    app.surfaces[surface.platform] = surface
    stop = asyncio.Event()
    feed = asyncio.create_task(app.feed.run(stop))
    await asyncio.sleep(0.05)
    await available(app, "alice")
    await escalated(app)
    offer = await only_offer(app, "alice")
    for _ in range(100):
        if surface.offers:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await feed
    assert [(kind, v.offer.id) for kind, v in surface.offers] == [("show", offer.id)]


async def test_escalate_card_accept_command_thread_end_to_end(app: BridgeApp) -> None:
    """The whole path as serve runs it: feed -> card; the Accept button's command -> active chat ->
    the card shows accepted and delivery opens the thread with the history."""
    from tests.routing.helpers import run

    surface = RecordingSurface()
    app.surfaces[surface.platform] = surface
    stop = asyncio.Event()
    feed = asyncio.create_task(app.feed.run(stop))
    await asyncio.sleep(0.05)

    async def until(check) -> None:  # noqa: ANN001 - waits for the feed-driven work
        for _ in range(200):
            if check():
                return
            await asyncio.sleep(0.02)
        raise AssertionError("feed-driven work did not happen")

    await run(app, "alice", "csr available")
    c = await escalated(app, name="Ann", first="where is my order?")
    await until(lambda: any(kind == "show" for kind, _ in surface.offers))
    offer_id = surface.offers[0][1].offer.id
    reply = await run(app, "alice", f"csr accept {offer_id}")
    assert reply.text == "You got the chat with Ann."
    await until(lambda: any(kind == "update" for kind, _ in surface.offers) and surface.threads)
    await until(lambda: any(e.text == "where is my order?" for e in surface.delivered))
    stop.set()
    await feed
    await app.delivery.idle()
    assert [v.offer.state for kind, v in surface.offers if kind == "update"] == [OfferState.ACCEPTED]
    assert len(surface.threads) == 1 and surface.threads[0].thread_id.startswith(f"root-{c.id}")
