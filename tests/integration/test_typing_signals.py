"""Typing signals against a real Redis: however often an adapter renews one, the feed hears little of it."""

from bridge.app import BridgeApp
from bridge.domain.chat import Customer


async def feed_entities(app: BridgeApp, after: str) -> list[str]:
    rows = await app.redis.xrange(app.keys.changes, f"({after}", "+")
    return [fields["entity"] for _, fields in rows]


async def test_a_flood_of_renewals_announces_one_change_and_stopping_always_counts(app: BridgeApp) -> None:
    chat = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "")
    rows = await app.redis.xrevrange(app.keys.changes, count=1)
    last = rows[0][0] if rows else "0-0"
    for _ in range(50):
        await app.core.typing.set(chat.id, "agent", "Alice", True)
    await app.core.typing.set(chat.id, "agent", "Bob", True)  # someone else: a change
    await app.core.typing.set(chat.id, "agent", "Bob", False)
    await app.core.typing.set(chat.id, "agent", "Bob", False)  # nothing left to clear
    assert await feed_entities(app, last) == [f"typing:{chat.id}"] * 3
    assert await app.core.typing.current(chat.id) == {}
