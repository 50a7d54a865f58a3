"""The per-chat event stream against a real Redis."""

from collections.abc import Awaitable

import pytest

from bridge.app import BridgeApp
from bridge.domain.chat import Customer
from bridge.domain.events import ChatEvent, EventKind
from bridge.events.replicas import NotReplicated, ReplicaWait
from bridge.events.stream import ChatStream
from tests.support.events import conversation


async def test_append_assigns_increasing_ids_and_reads_after(app: BridgeApp) -> None:
    chat = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "hello")
    second = await app.service.customer_message(chat.id, "second")
    third = await app.service.customer_message(chat.id, "third")
    events = await conversation(app.stream, chat.id)
    assert [e.text for e in events] == ["hello", "second", "third"]
    assert [e.text for e in await app.stream.read_after(chat.id, second.id)] == ["third"]
    assert third.id > second.id
    assert await app.stream.last_id(chat.id) == third.id


async def test_same_client_message_id_is_stored_once(app: BridgeApp) -> None:
    chat = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "")
    first = await app.service.customer_message(chat.id, "hi", client_msg_id="m-1")
    again = await app.service.customer_message(chat.id, "hi", client_msg_id="m-1")
    assert again.id == first.id
    assert [e.text for e in await conversation(app.stream, chat.id)] == ["hi"]


async def test_append_announces_the_change_naming_the_event(app: BridgeApp) -> None:
    chat = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "")
    before = await app.redis.xlen(app.keys.changes)
    appended = await app.stream.append(ChatEvent(chat_id=chat.id, kind=EventKind.NOTICE, ts=1.0, text="x"))
    rows = await app.redis.xrevrange(app.keys.changes, count=1)
    assert await app.redis.xlen(app.keys.changes) == before + 1
    assert rows[0][1] == {"entity": f"chat:{chat.id}", "event": appended.event.id}


async def test_routing_events_name_theirs_too(app: BridgeApp) -> None:
    chat = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "")
    last = await app.redis.xrevrange(app.keys.changes, count=1)
    before = await app.stream.last_id(chat.id)
    await app.router.escalate(chat.id)
    rows = await app.redis.xrange(app.keys.changes, f"({last[0][0]}", "+")
    routed = await app.stream.read_after(chat.id, before)
    named = [fields["event"] for _, fields in rows if fields.get("entity") == f"chat:{chat.id}"]
    assert routed and set(named) >= {e.id for e in routed}


async def test_a_process_knows_the_event_it_stored_only_right_after_its_predecessor(app: BridgeApp) -> None:
    """`appended_after` stands in for a read of the stream only where nothing came between."""
    chat = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "hello")
    other = ChatStream(app.redis, app.keys)  # another process writing to the same chat
    first = await app.stream.read_all(chat.id)
    mine = (await app.stream.append(_message(chat.id, "mine", "m-1"))).event
    assert await app.stream.appended_after(chat.id, first[-1].id) == mine
    theirs = (await other.append(_message(chat.id, "theirs", "m-2"))).event
    assert await app.stream.appended_after(chat.id, mine.id) is None
    assert await other.appended_after(chat.id, mine.id) == theirs
    assert await other.appended_after(chat.id, first[-1].id) is None
    await app.stream.append(_message(chat.id, "mine", "m-1"))  # a resend stores nothing new
    assert await app.stream.appended_after(chat.id, theirs.id) is None


async def test_the_first_event_of_a_stream_follows_zero(app: BridgeApp) -> None:
    stream = ChatStream(app.redis, app.keys)
    first = (await stream.append(_message("fresh-chat", "hi", ""))).event
    assert await stream.appended_after("fresh-chat", "0") == first


def _message(chat_id: str, text: str, client_msg_id: str) -> ChatEvent:
    return ChatEvent(chat_id=chat_id, kind=EventKind.MESSAGE, ts=1.0, text=text, client_msg_id=client_msg_id)


async def test_closing_and_events_after_the_end_are_announced_as_closed_too(app: BridgeApp) -> None:
    """The archiver listens to `closed:` changes only, so it reads nothing for an open chat's messages."""
    chat = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "")

    async def entities_after(step: Awaitable[object]) -> list[str]:
        last = await app.redis.xrevrange(app.keys.changes, count=1)
        await step
        rows = await app.redis.xrange(app.keys.changes, f"({last[0][0]}" if last else "-", "+")
        return [fields["entity"] for _, fields in rows]

    while_open = await entities_after(app.service.customer_message(chat.id, "open"))
    at_close = await entities_after(app.service.close(chat.id, "resolved", "customer"))
    rating = ChatEvent(chat_id=chat.id, kind=EventKind.RATING, ts=2.0, data={"score": 5})
    after_end = await entities_after(app.stream.append(rating))
    assert while_open == [f"chat:{chat.id}"]
    assert f"closed:{chat.id}" in at_close
    assert after_end == [f"chat:{chat.id}", f"closed:{chat.id}"]


async def test_an_append_no_replica_confirms_is_refused_and_its_retry_stored_once(app: BridgeApp) -> None:
    """With `[redis] wait_replicas` the sender hears "stored" only once replicas hold it; this Redis has none,
    so each attempt is refused, and the event the attempts wrote is there once for when a replica catches up."""
    chat = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "")
    waiting = ChatStream(app.redis, app.keys, ReplicaWait(1, 20))
    event = ChatEvent(chat_id=chat.id, kind=EventKind.MESSAGE, ts=1.0, text="hold on", client_msg_id="w-1")
    for _ in range(2):
        with pytest.raises(NotReplicated):
            await waiting.append(event)
    assert [e.text for e in await conversation(app.stream, chat.id)] == ["hold on"]
    assert (await ChatStream(app.redis, app.keys).append(event)).created is False
