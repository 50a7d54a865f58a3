"""Ordered, once-only delivery into the CSR thread, across restarts and failures."""

import asyncio

import pytest

from bridge.app import BridgeApp
from bridge.domain.chat import Chat, ChatState, Customer
from bridge.domain.events import Origin
from bridge.events.delivery import ChatDelivery
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
    assert await app.threads.chat_of("test", surface.threads[0].thread_id) == chat.id


async def test_nothing_is_delivered_twice_after_a_restart(app: BridgeApp) -> None:
    surface = RecordingSurface()
    chat = await active_chat(app, surface)
    await drain(app.delivery, chat.id)
    restarted = ChatDelivery(app.redis, app.keys, app.chats, app.stream, app.threads, app.surfaces, app.agent,
                             app.metrics)
    await app.service.customer_message(chat.id, "after restart")
    await drain(restarted, chat.id)
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

    async def deliver(thread, chat_, event):
        await asyncio.sleep(0.5)
        assert await app.redis.exists(app.keys.lock(f"deliver:{chat.id}"))
        await slow_deliver(thread, chat_, event)

    surface.deliver = deliver  # type: ignore[method-assign]
    await app.service.customer_message(chat.id, "second")
    await asyncio.wait_for(drain(app.delivery, chat.id), 10)
    assert [e.text for e in surface.delivered] == ["first", "second"]
