"""Erasing a customer takes their chat's posts out of the Matrix outboxes before they are sent; a batch already
in flight (it may be on the homeserver) and other chats' posts stay."""

from redis.asyncio import Redis

from adapters.matrix.lanes import Lane
from adapters.matrix.outbox import Outbox, OutboxEntry
from bridge.keys import Keys

ROOM = "!general:localhost"


def entry(chat_id: str, n: int, thread: str) -> OutboxEntry:
    return OutboxEntry(key=f"{chat_id}.{n}", thread=thread, label="Ann", body=f"{chat_id} says {n}",
                       coalesce=f"c:{chat_id}", chat_id=chat_id, chat_event=f"1-{n}")


async def test_a_chats_queued_posts_leave_every_lane(redis: Redis) -> None:
    outbox = Outbox(redis, Keys())
    for n in range(3):
        await outbox.put(ROOM, entry("ann", n, "$ann-root"))
        await outbox.put(ROOM, entry("bob", n, "$bob-root"))
    await outbox.put(ROOM, entry("ann", 9, ""))  # the room's timeline lane
    in_flight = await outbox.take(Lane(ROOM, "$ann-root"))
    assert in_flight is not None and [e.key for e in in_flight.entries] == ["ann.0", "ann.1", "ann.2"]
    await outbox.put(ROOM, entry("ann", 3, "$ann-root"))

    assert await outbox.drop_chat("ann") == 2
    again = await outbox.take(Lane(ROOM, "$ann-root"))
    assert again is not None and [e.key for e in again.entries] == ["ann.0", "ann.1", "ann.2"], \
        "the batch in flight is sent as it was (the homeserver may have it already)"
    await outbox.done(again, "$sent")
    assert await outbox.take(Lane(ROOM, "$ann-root")) is None
    assert await outbox.take(Lane(ROOM)) is None
    bobs = await outbox.take(Lane(ROOM, "$bob-root"))
    assert bobs is not None and [e.key for e in bobs.entries] == ["bob.0", "bob.1", "bob.2"]
    assert await outbox.drop_chat("nobody") == 0
