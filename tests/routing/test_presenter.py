"""Offer cards: shown once per platform even with several processes, updated when the offer ends."""

import asyncio

from bridge.app import BridgeApp
from bridge.domain.offer import OfferState
from bridge.offers import OfferPresenter
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
