"""When a customer's socket may skip reading its chat's stream: the feed's announcements and the events this
process stored decide it, against a real Redis; every other case reads."""

import pytest

from adapters.widget.pusher import known_unread
from bridge.app import BridgeApp
from bridge.domain.chat import Customer
from bridge.domain.events import ChatEvent, EventKind
from bridge.events.feed import ChangeFeed
from bridge.events.stream import ChatStream


@pytest.fixture
def feed(app: BridgeApp) -> ChangeFeed:
    return ChangeFeed(app.redis, app.keys)  # dispatched by hand: no reader runs


async def _chat(app: BridgeApp, feed: ChangeFeed) -> tuple[str, str]:
    chat = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "hello")
    feed.waiter(f"chat:{chat.id}")
    return chat.id, await app.stream.last_id(chat.id)


def _message(chat_id: str, text: str) -> ChatEvent:
    return ChatEvent(chat_id=chat_id, kind=EventKind.MESSAGE, ts=1.0, text=text, client_msg_id=text)


async def test_the_own_message_right_after_the_last_one_sent_needs_no_read(app: BridgeApp, feed: ChangeFeed) -> None:
    cid, last = await _chat(app, feed)
    heard = feed.announced(cid)
    mine = (await app.stream.append(_message(cid, "mine"))).event
    feed.dispatch(f"chat:{cid}", mine.id)
    assert await known_unread(feed, app.stream, cid, last, heard) == [mine]
    assert await known_unread(feed, app.stream, cid, mine.id, heard) == [], "nothing newer than what was sent"


@pytest.mark.parametrize("own_first", [False, True], ids=["theirs-then-mine", "mine-then-theirs"])
async def test_another_process_event_beside_the_own_one_is_read(app: BridgeApp, feed: ChangeFeed,
                                                               own_first: bool) -> None:
    cid, last = await _chat(app, feed)
    heard = feed.announced(cid)
    writers = [ChatStream(app.redis, app.keys), app.stream]  # another process's stream, then this one's
    for stream in writers[::-1] if own_first else writers:
        event = (await stream.append(_message(cid, "mine" if stream is app.stream else "theirs"))).event
        feed.dispatch(f"chat:{cid}", event.id)
    assert await known_unread(feed, app.stream, cid, last, heard) is None


async def test_a_change_that_names_no_event_is_read(app: BridgeApp, feed: ChangeFeed) -> None:
    cid, last = await _chat(app, feed)
    heard = feed.announced(cid)
    mine = (await app.stream.append(_message(cid, "mine"))).event
    feed.dispatch(f"chat:{cid}", mine.id)
    feed.dispatch(f"chat:{cid}")
    assert await known_unread(feed, app.stream, cid, last, heard) is None
    assert await known_unread(feed, app.stream, cid, mine.id, heard) is None


async def test_without_a_waiter_or_a_first_read_nothing_is_known(app: BridgeApp, feed: ChangeFeed) -> None:
    cid, last = await _chat(app, feed)
    assert await known_unread(feed, app.stream, cid, last, None) is None
    assert await known_unread(ChangeFeed(app.redis, app.keys), app.stream, cid, last, feed.announced(cid)) is None
