"""Ordered, once-only delivery into the CSR thread, across restarts and failures."""

import asyncio
import gc
import logging

import pytest

from bridge.app import BridgeApp
from bridge.domain.chat import Chat, ChatState, Customer
from bridge.domain.events import Origin
from bridge.events.delivery import ChatDelivery
from bridge.events.lease import ChatLease, LeaseLost
from bridge.events.replicas import ReplicaWait
from bridge.events.stream import ChatStream, event_order
from tests.support.recording_surface import RecordingSurface


async def active_chat(app: BridgeApp, surface: RecordingSurface) -> Chat:
    app.surfaces[surface.platform] = surface
    chat = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "first")
    await app.redis.hset(app.keys.chat(chat.id),
                         mapping={"state": ChatState.ACTIVE, "agent_id": "alice", "platform": surface.platform})
    return chat


async def drain(delivery: ChatDelivery, chat_id: str) -> None:
    await delivery.on_change(chat_id)
    await delivery.idle()


async def test_history_then_new_events_in_order_with_one_thread(app: BridgeApp) -> None:
    surface = RecordingSurface()
    chat = await active_chat(app, surface)
    await app.service.customer_message(chat.id, "second")
    await drain(app.delivery, chat.id)
    await app.service.customer_message(chat.id, "third")
    await drain(app.delivery, chat.id)
    assert [e.text for e in surface.delivered] == ["first", "second", "third"]
    assert len(surface.threads) == 1
    assert await app.threads.chat_of("test", surface.threads[0].conversation, surface.threads[0].thread_id) == chat.id


async def test_nothing_is_delivered_twice_after_a_restart(app: BridgeApp) -> None:
    surface = RecordingSurface()
    chat = await active_chat(app, surface)
    await drain(app.delivery, chat.id)
    await app.delivery.close()
    restarted = ChatDelivery(app.redis, app.keys, app.chats, app.stream, app.threads, app.surfaces, app.agent,
                             app.metrics)
    await app.service.customer_message(chat.id, "after restart")
    await drain(restarted, chat.id)
    await restarted.close()
    assert [e.text for e in surface.delivered] == ["first", "after restart"]


async def test_an_event_is_not_echoed_into_its_own_thread(app: BridgeApp) -> None:
    surface = RecordingSurface()
    chat = await active_chat(app, surface)
    await drain(app.delivery, chat.id)
    thread = surface.threads[0]
    origin = Origin(platform="test", conversation=thread.conversation, thread=thread.thread_id, event_id="ev1")
    await app.service.agent_message(chat.id, app.agent("alice"), "from the thread", origin)
    await app.service.customer_message(chat.id, "reply")
    await drain(app.delivery, chat.id)
    assert [e.text for e in surface.delivered] == ["first", "reply"]


async def test_a_failing_platform_is_retried_in_order(app: BridgeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bridge.events.delivery.RETRY_DELAYS", (0.01,))
    surface = RecordingSurface(fail_next=2)
    chat = await active_chat(app, surface)
    await app.service.customer_message(chat.id, "second")
    await drain(app.delivery, chat.id)
    assert [e.text for e in surface.delivered] == ["first", "second"]


async def test_waiting_chats_are_not_delivered(app: BridgeApp) -> None:
    surface = RecordingSurface()
    app.surfaces["test"] = surface
    chat = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "hello")
    await drain(app.delivery, chat.id)
    assert surface.delivered == [] and surface.threads == []


async def test_a_long_delivery_keeps_its_lock(app: BridgeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """A slow platform (paced posts) may deliver for longer than the lock's TTL; the lock must hold."""
    monkeypatch.setattr("bridge.events.delivery.LOCK_TTL", 0.3)
    surface = RecordingSurface()
    chat = await active_chat(app, surface)
    slow_deliver = surface.deliver

    async def deliver(thread, chat_, event, following, retry):
        await asyncio.sleep(0.5)
        assert await app.redis.exists(app.keys.lock(f"deliver:{chat.id}"))
        return await slow_deliver(thread, chat_, event, following, retry)

    surface.deliver = deliver  # type: ignore[method-assign]
    await app.service.customer_message(chat.id, "second")
    await asyncio.wait_for(drain(app.delivery, chat.id), 10)
    assert [e.text for e in surface.delivered] == ["first", "second"]


async def test_a_merged_post_moves_delivery_past_every_event_it_carried(app: BridgeApp) -> None:
    surface = RecordingSurface(merges=True)
    chat = await active_chat(app, surface)
    for text in ("second", "third"):
        await app.service.customer_message(chat.id, text)
    await drain(app.delivery, chat.id)
    await app.service.customer_message(chat.id, "fourth")
    await drain(app.delivery, chat.id)
    assert [len(ids) for _, ids in surface.posts] == [3, 1]
    assert [e.text for e in surface.delivered] == ["first", "second", "third", "fourth"]


class CutOffSurface(RecordingSurface):
    """The platform stores the post, then the answer is lost (a crash or a dropped connection)."""

    cut_off: str = ""

    async def deliver(self, thread, chat, event, following=(), retry=False):  # type: ignore[no-untyped-def]
        last = await super().deliver(thread, chat, event, following, retry)
        if event.text == self.cut_off:
            self.cut_off = ""
            raise ConnectionError("answer lost")
        return last


async def test_an_attempt_that_may_have_reached_the_platform_is_retried_as_such(
        app: BridgeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bridge.events.delivery.RETRY_DELAYS", (0.01,))
    surface = CutOffSurface()
    surface.cut_off = "second"
    chat = await active_chat(app, surface)
    await app.service.customer_message(chat.id, "second")
    await app.service.customer_message(chat.id, "third")
    await drain(app.delivery, chat.id)
    second = next(e for e in surface.delivered if e.text == "second")
    assert surface.retried == [second.id], "only the cut-off attempt is retried as possibly made"
    assert [e.text for e in surface.delivered] == ["first", "second", "second", "third"]


async def test_a_restart_retries_as_such_only_the_attempt_a_crash_cut_off(app: BridgeApp) -> None:
    surface = RecordingSurface()
    chat = await active_chat(app, surface)
    await drain(app.delivery, chat.id)
    await app.delivery.close()
    first = surface.delivered[0]
    second = await app.service.customer_message(chat.id, "second")
    sink = f"test:{surface.threads[0].thread_id}"
    await app.redis.hset(app.keys.chat_cursors(chat.id), mapping={sink: first.id, f"{sink}|trying": second.id})
    restarted = ChatDelivery(app.redis, app.keys, app.chats, app.stream, app.threads, app.surfaces, app.agent,
                             app.metrics)
    await app.service.customer_message(chat.id, "third")
    await drain(restarted, chat.id)
    await restarted.close()
    assert surface.retried == [second.id]
    assert [e.text for e in surface.delivered] == ["first", "second", "third"]


async def test_a_lease_held_elsewhere_is_left_to_its_holder_until_it_lapses(app: BridgeApp) -> None:
    surface = RecordingSurface()
    chat = await active_chat(app, surface)
    lease = app.keys.lock(f"deliver:{chat.id}")
    await app.redis.set(lease, "another-process", px=600)
    await app.delivery.on_change(chat.id)
    await asyncio.sleep(0.3)
    assert surface.delivered == [], "the holder delivers; nobody else may"
    await app.delivery.idle()
    assert [e.text for e in surface.delivered] == ["first"], "a holder that died leaves its chat to us"


async def test_closing_gives_the_lease_back_with_the_cursor_saved(app: BridgeApp) -> None:
    surface = RecordingSurface()
    chat = await active_chat(app, surface)
    await drain(app.delivery, chat.id)
    lease = app.keys.lock(f"deliver:{chat.id}")
    assert await app.redis.exists(lease), "a quiet chat keeps its lease a moment, for its next message"
    await app.delivery.close()
    sink = f"test:{surface.threads[0].thread_id}"
    assert not await app.redis.exists(lease)
    assert await app.redis.hgetall(app.keys.chat_cursors(chat.id)) == {sink: surface.delivered[-1].id}


async def test_a_process_that_lost_its_lease_stops_writing_progress(app: BridgeApp) -> None:
    surface = RecordingSurface()
    chat = await active_chat(app, surface)
    await drain(app.delivery, chat.id)
    lease = app.keys.lock(f"deliver:{chat.id}")
    await app.redis.set(lease, "another-process")  # ours lapsed and someone else took the chat
    sink = f"test:{surface.threads[0].thread_id}"
    await app.redis.hset(app.keys.chat_cursors(chat.id), sink, "9999999999999-0")
    await app.service.customer_message(chat.id, "second")
    await drain(app.delivery, chat.id)
    assert [e.text for e in surface.delivered] == ["first"]
    assert await app.redis.hget(app.keys.chat_cursors(chat.id), sink) == "9999999999999-0"


class NamingSurface(RecordingSurface):
    """Records, at each post, where Redis says delivery stands: (cursor, event being attempted)."""

    app: BridgeApp
    chat_id: str
    standing: list[tuple[str, str, str]]

    async def deliver(self, thread, chat, event, following=(), retry=False):  # type: ignore[no-untyped-def]
        sink = f"{thread.platform}:{thread.thread_id}"
        cursors = await self.app.redis.hgetall(self.app.keys.chat_cursors(self.chat_id))
        self.standing.append((event.id, cursors.get(sink, "0"), cursors.get(f"{sink}|trying", "")))
        return await super().deliver(thread, chat, event, following, retry)


async def test_every_post_is_named_in_redis_before_it_is_made(app: BridgeApp) -> None:
    """Whether the mark rode with the read (a pass's first event, echoes before it or not) or came alone (the
    events after it), a crash mid-post leaves the post's event named, and the cursor between it and the last
    post."""
    surface = NamingSurface()
    surface.app, surface.standing = app, []
    chat = await active_chat(app, surface)
    surface.chat_id = chat.id
    await drain(app.delivery, chat.id)
    thread = surface.threads[0]
    origin = Origin(platform="test", conversation=thread.conversation, thread=thread.thread_id, event_id="ev1")
    await app.service.agent_message(chat.id, app.agent("alice"), "from the thread", origin)
    await app.service.customer_message(chat.id, "second")
    await drain(app.delivery, chat.id)
    for text in ("third", "fourth"):
        await app.service.customer_message(chat.id, text)
    await drain(app.delivery, chat.id)
    assert [e.text for e in surface.delivered] == ["first", "second", "third", "fourth"]
    last_posted = "0"
    for event_id, cursor, trying in surface.standing:
        assert trying == event_id, "the event is named as being attempted before its post"
        assert event_order(last_posted) <= event_order(cursor) < event_order(event_id), \
            "the cursor is past every post made (or a crash would repeat one) and short of this one (or lose it)"
        last_posted = event_id


class HangingSurface(RecordingSurface):
    """Stops forever at the post of `hang_on`, as a process that dies there: the test then ends the delivery."""

    hang_on: str | None = None
    reached: asyncio.Event

    async def deliver(self, thread, chat, event, following=(), retry=False):  # type: ignore[no-untyped-def]
        if event.text == self.hang_on:
            self.retried += [event.id] if retry else []
            self.reached.set()
            await asyncio.Event().wait()
        return await super().deliver(thread, chat, event, following, retry)


async def cut_off_at(delivery: ChatDelivery, surface: HangingSurface, chat_id: str, text: str) -> None:
    """Delivers until the post of `text` has started, then ends the delivery there (its lease given back, as
    the lease of a process that died would run out)."""
    surface.hang_on, surface.reached = text, asyncio.Event()
    await delivery.on_change(chat_id)
    await asyncio.wait_for(surface.reached.wait(), 5)
    await delivery.close(grace=0.1)


def restarted_delivery(app: BridgeApp) -> ChatDelivery:
    return ChatDelivery(app.redis, app.keys, app.chats, app.stream, app.threads, app.surfaces, app.agent,
                        app.metrics)


async def test_a_post_cut_off_after_its_mark_is_made_once_and_looked_for_by_every_later_holder(
        app: BridgeApp) -> None:
    """The mark that rode with the pass's read names the event cut off; the next holders' reads must name it
    again until the post is made, however often they are cut off too."""
    surface = HangingSurface()
    chat = await active_chat(app, surface)
    await drain(app.delivery, chat.id)
    second = await app.service.customer_message(chat.id, "second")
    await app.service.customer_message(chat.id, "third")
    sink = f"test:{surface.threads[0].thread_id}"
    for delivery in (app.delivery, restarted_delivery(app)):
        await cut_off_at(delivery, surface, chat.id, "second")
        cursors = await app.redis.hgetall(app.keys.chat_cursors(chat.id))
        assert (cursors[sink], cursors[f"{sink}|trying"]) == (surface.delivered[0].id, second.id)
    surface.hang_on = None
    last = restarted_delivery(app)
    await drain(last, chat.id)
    await last.close()
    assert surface.retried == [second.id, second.id], "each holder after the first looked for it"
    assert [e.text for e in surface.delivered] == ["first", "second", "third"]


async def test_a_chat_moved_to_another_thread_mid_lease_is_delivered_there_from_its_start(app: BridgeApp) -> None:
    surface = RecordingSurface()
    chat = await active_chat(app, surface)
    await drain(app.delivery, chat.id)
    await app.redis.hset(app.keys.chat(chat.id), "queue", "tech")  # a transfer to another queue, accepted
    await app.service.customer_message(chat.id, "second")
    await drain(app.delivery, chat.id)
    await app.service.customer_message(chat.id, "third")
    await drain(app.delivery, chat.id)
    first, moved = surface.threads
    texts = {e.id: e.text for e in await app.stream.read_all(chat.id)}
    assert [(thread, [texts[i] for i in ids]) for thread, ids in surface.posts] == [
        (first, ["first"]), (moved, ["first"]), (moved, ["second"]), (moved, ["third"])]


async def test_closing_ends_a_lingering_chat_at_once(app: BridgeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bridge.events.delivery.LINGER_SECONDS", 30)
    surface = RecordingSurface()
    chat = await active_chat(app, surface)
    await drain(app.delivery, chat.id)
    started = asyncio.get_running_loop().time()
    assert await app.delivery.close(grace=5)
    assert asyncio.get_running_loop().time() - started < 1, "the linger does not hold up the shutdown"
    assert not await app.redis.exists(app.keys.lock(f"deliver:{chat.id}"))


async def test_a_lease_lost_while_lingering_ends_the_linger(app: BridgeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bridge.events.delivery.LINGER_SECONDS", 30)
    monkeypatch.setattr("bridge.events.delivery.LOCK_TTL", 0.3)
    surface = RecordingSurface()
    chat = await active_chat(app, surface)
    await drain(app.delivery, chat.id)
    lingering = app.delivery._running[chat.id]
    lease = app.keys.lock(f"deliver:{chat.id}")
    await app.redis.set(lease, "another-process", px=2000)
    await asyncio.wait_for(asyncio.shield(lingering), 1)
    await app.service.customer_message(chat.id, "second")
    await drain(app.delivery, chat.id)
    first = surface.delivered[0]
    assert surface.retried == [first.id], "the lease went before the post's success was written: looked for"
    assert [e.text for e in surface.delivered] == ["first", "first", "second"], "once the holder lets go"


async def test_no_post_is_made_before_replicas_hold_the_mark_naming_it(app: BridgeApp,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """With `[redis] wait_replicas` a failover must not lose the mark before a post (the new primary's holder
    would post again without looking), whether the mark rode with a read or came alone; this Redis has no
    replica, so nothing is posted."""
    monkeypatch.setattr("bridge.events.delivery.RETRY_DELAYS", (0.01,))
    surface = RecordingSurface()
    chat = await active_chat(app, surface)
    await drain(app.delivery, chat.id)
    await app.delivery.close()
    await app.service.customer_message(chat.id, "second")
    waiting = ChatStream(app.redis, app.keys, ReplicaWait(1, 20), app.stream.batch)
    delivery = ChatDelivery(app.redis, app.keys, app.chats, waiting, app.threads, app.surfaces, app.agent,
                            app.metrics)
    await delivery.on_change(chat.id)
    await asyncio.sleep(0.5)
    assert not await delivery.close(grace=0.1)
    assert [e.text for e in surface.delivered] == ["first"]


async def test_a_renewal_that_outlives_its_cancel_is_not_logged_as_a_lost_error(
        app: BridgeApp, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """A cancellation can be lost as a Redis call completes (asyncio.wait_for in Python 3.11): the renewal then
    runs on after the delivery gave the lease back, and ends with LeaseLost that no one awaits."""
    ended = asyncio.Event()

    async def outliving(self: ChatLease, every: float) -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            await asyncio.sleep(0.05)
            ended.set()
            raise LeaseLost("lease") from None

    monkeypatch.setattr(ChatLease, "keep_renewed", outliving)
    surface = RecordingSurface()
    chat = await active_chat(app, surface)
    await drain(app.delivery, chat.id)
    assert await app.delivery.close(grace=5)
    await asyncio.wait_for(ended.wait(), 2)
    await asyncio.sleep(0)
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        gc.collect()
    assert [e.text for e in surface.delivered] == ["first"]
    assert not [r for r in caplog.records if "never retrieved" in r.getMessage()]
