"""Read marks against a real Redis: forward only, events of the chat only, announced as `read:ID`."""

import pytest

from bridge.app import BridgeApp
from bridge.domain.chat import Customer
from bridge.events.receipts import NotAnEvent


async def test_marks_move_forward_only_and_are_announced(app: BridgeApp) -> None:
    chat = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "one")
    second = await app.service.customer_message(chat.id, "two")
    first_id = (await app.stream.read_all(chat.id))[0].id
    last = await app.redis.xrevrange(app.keys.changes, count=1)
    await app.core.reads.mark(chat.id, "agent", second.id)
    await app.core.reads.mark(chat.id, "agent", first_id)
    await app.core.reads.mark(chat.id, "agent", second.id)
    rows = await app.redis.xrange(app.keys.changes, f"({last[0][0]}", "+")
    assert await app.core.reads.current(chat.id) == {"agent": second.id}
    assert [fields["entity"] for _, fields in rows] == [f"read:{chat.id}"]


@pytest.mark.parametrize("event_id", ["", "1", "abc", "1-1\n", "٣-1", "1" * 20 + "-0", "1-0\x00", "99999999999999-0"])
async def test_anything_but_an_event_of_the_chat_is_refused(app: BridgeApp, event_id: str) -> None:
    chat = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "one")
    with pytest.raises(NotAnEvent):
        await app.core.reads.mark(chat.id, "customer", event_id)
    assert await app.core.reads.current(chat.id) == {}


async def test_another_chats_event_and_an_unknown_side_are_refused(app: BridgeApp) -> None:
    mine = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "")
    other = await app.service.start_chat(Customer(name="Bob"), "question", "general", 0, "theirs")
    theirs = (await app.stream.read_all(other.id))[0].id
    with pytest.raises(NotAnEvent):
        await app.core.reads.mark(mine.id, "customer", theirs)
    with pytest.raises(ValueError):
        await app.core.reads.mark(other.id, "supervisor", theirs)
    assert await app.core.reads.current(mine.id) == {} == await app.core.reads.current(other.id)


async def test_ids_beyond_a_double_compare_as_stream_ids(app: BridgeApp) -> None:
    """Both parts are compared as digit strings, so ids past 2**53 still order correctly."""
    key = app.keys.chat_events("big")
    await app.redis.xadd(key, {"e": "{}"}, id="9007199254740993-1")
    await app.redis.xadd(key, {"e": "{}"}, id="9007199254740993-10")
    await app.core.reads.mark("big", "agent", "9007199254740993-10")
    await app.core.reads.mark("big", "agent", "9007199254740993-1")
    assert await app.core.reads.current("big") == {"agent": "9007199254740993-10"}
