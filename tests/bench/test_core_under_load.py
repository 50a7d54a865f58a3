"""What the load bench found in the core, kept from coming back: behaviour only, no timing."""

import asyncio
from typing import Any

import pytest

from bridge.app import BridgeApp
from bridge.domain.chat import ChatState, Customer
from bridge.events.delivery import ChatDelivery
from bridge.redis_connect import REDIS_CONNECTIONS, connect_redis
from tests.support.recording_surface import RecordingSurface


async def test_a_burst_beyond_the_pool_waits_for_connections_instead_of_failing(redis_url: str) -> None:
    redis = connect_redis(redis_url)
    try:
        await redis.delete("bench:burst")
        await asyncio.gather(*(redis.incr("bench:burst") for _ in range(REDIS_CONNECTIONS * 3)))
        assert int(await redis.get("bench:burst")) == REDIS_CONNECTIONS * 3
    finally:
        await redis.aclose()


class CountingDelivery(ChatDelivery):
    """Counts the passes it makes; everything else is the real delivery."""

    drains = 0

    async def _pass(self, *args: Any) -> bool:
        self.drains += 1
        return await super()._pass(*args)


async def test_a_change_notified_as_a_drain_ends_starts_another_drain(app: BridgeApp,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bridge.events.delivery.LINGER_SECONDS", 0)
    surface = RecordingSurface()
    app.surfaces[surface.platform] = surface
    chat = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "first")
    await app.redis.hset(app.keys.chat(chat.id),
                         mapping={"state": ChatState.ACTIVE, "agent_id": "alice", "platform": surface.platform})
    delivery = CountingDelivery(app.redis, app.keys, app.chats, app.stream, app.threads, app.surfaces, app.agent,
                                app.metrics)
    await delivery.on_change(chat.id)
    first = delivery._running[chat.id]
    while not first.done():
        await asyncio.sleep(0)
    await delivery.on_change(chat.id)  # the first drain has finished: this change needs a drain of its own
    await delivery.close()
    assert delivery.drains == 2
    assert [e.text for e in surface.delivered] == ["first"]
