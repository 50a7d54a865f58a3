"""The Lua scripts read every routing setting that routing/settings.py wrote: none keeps a default of its own,
so a value off its default reaches every script, and a setting that is missing is named, not guessed."""

from pathlib import Path

import pytest
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from bridge.app import BridgeApp
from bridge.domain.chat import ChatState, Customer
from tests.routing.helpers import (
    SLACK_ON,
    app_with,
    available,
    chat,
    escalated,
    only_offer,
    queues_with,
    with_clock,
)

IDLE = 777.0
"""Off the 1800 s default, and different from every other timeout in the test config."""
OFFER_TIMEOUT = 45.0


@pytest.fixture
def app(tmp_path: Path, redis: Redis, redis_url: str) -> BridgeApp:
    return app_with(tmp_path, redis, redis_url, slack=SLACK_ON, routing={"customer_idle_timeout": IDLE},
                    queues=queues_with(general={"offer_timeout": OFFER_TIMEOUT}))


async def idle_due(app: BridgeApp, chat_id: str) -> float | None:
    return await app.redis.zscore(app.keys.routing_timers, f"idle:{chat_id}")


async def test_a_non_default_idle_timeout_reaches_every_script_that_arms_the_idle_timer(app: BridgeApp) -> None:
    clock = with_clock(app)
    started = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "hello")
    assert await idle_due(app, started.id) == pytest.approx(clock.t + IDLE), "arm_idle"

    left = await escalated(app, name="Bea")  # nobody signed in: the customer may leave a message
    assert (await chat(app, left.id)).state == ChatState.MESSAGE
    assert await idle_due(app, left.id) == pytest.approx(clock.t + IDLE), "leave_message"

    await available(app, "alice")
    offered = await escalated(app, name="Cy")
    offer = await only_offer(app, "alice")
    assert offer.deadline == pytest.approx(clock.t + OFFER_TIMEOUT), "a queue setting off its default"
    clock.tick(IDLE + 1)
    waiting = await app.router.idle_check(offered.id)
    assert waiting.status == "waiting" and waiting.timers == [(f"idle:{offered.id}", pytest.approx(clock.t + IDLE))]
    clock.tick(5)
    await app.router.accept(offer.id, app.agent("alice"), "test")
    assert await idle_due(app, offered.id) == pytest.approx(clock.t + IDLE), "accept"

    clock.tick(5)
    await available(app, "bob")
    sam, bob = app.agent("sam"), app.agent("bob")
    assert sam is not None and bob is not None
    moved = await app.router.reassign_to_agent(offered.id, bob, "test", sam)
    assert moved.status == "assigned", moved
    assert await idle_due(app, offered.id) == pytest.approx(clock.t + IDLE), "reassign_agent"


async def test_a_missing_setting_is_named_rather_than_guessed(app: BridgeApp) -> None:
    started = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "hello")
    await app.redis.hdel(app.keys.routing_conf, "idle_timeout")
    with pytest.raises(ResponseError, match="routing setting idle_timeout is missing"):
        await app.router.opened(started.id)
    await app.redis.hset(app.keys.routing_conf, "idle_timeout", IDLE)
    await available(app, "alice")
    await app.redis.hdel(app.keys.queue("general"), "offer_timeout")
    with pytest.raises(ResponseError, match="routing setting offer_timeout is missing"):
        await escalated(app, name="Bea")
