"""The outbox sweep: posts queued in Redis whose wake-up was lost still leave, once each and in order.

No homeserver: the senders drain the real outbox in Redis into a poster that records what it is given.
"""

import asyncio
import contextlib
from typing import Any

from redis.asyncio import Redis

from adapters.matrix.compose import Composer
from adapters.matrix.lanes import Lane
from adapters.matrix.outbox import Outbox, OutboxEntry
from adapters.matrix.pacer import Pacer
from adapters.matrix.senders import OutboxSenders
from bridge.keys import Keys

ROOM, ROOT = "!room:localhost", "$root"


class RecordingPoster:
    """Takes every post at once, as a homeserver that answers would, and keeps (room, txn id, content)."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, str, dict[str, Any]]] = []

    async def send(self, room_id: str, content: dict[str, Any], tx_id: str, event_type: str = "m.room.message",
                   attempts: int | None = None, paced: bool = True) -> str:
        self.posts.append((room_id, tx_id, content))
        return f"$sent{len(self.posts)}"


class WatchedOutbox(Outbox):
    """The real outbox, counting the sweeps that have listed its lanes."""

    listings = 0

    async def lanes(self) -> list[Lane]:
        found = await super().lanes()
        self.listings += 1
        return found


async def listed(outbox: WatchedOutbox, times: int) -> None:
    async with asyncio.timeout(20):
        while outbox.listings < times:
            await asyncio.sleep(0.01)


async def test_a_lane_whose_wake_up_was_lost_is_sent_by_the_sweep_once_and_in_order(redis: Redis) -> None:
    keys = Keys()
    outbox, poster = WatchedOutbox(redis, keys), RecordingPoster()
    senders = OutboxSenders(outbox, poster, Pacer(0, 1), Composer(redis, keys, media=None),  # type: ignore[arg-type]
                            redis, keys, sweep_seconds=0.05)
    running = asyncio.create_task(senders.run())
    try:
        await listed(outbox, 1)  # the start's resume found nothing: what follows is left to the sweep
        for i in range(3):
            assert await outbox.put(ROOM, OutboxEntry(key=f"sweep.{i}", thread=ROOT, body=f"lost {i}"))

        async with asyncio.timeout(20):
            while len(poster.posts) < 3:
                await asyncio.sleep(0.01)
        swept = outbox.listings
        await listed(outbox, swept + 2)  # two more sweeps, which must not send anything again
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running

    assert [(room, content["body"]) for room, _, content in poster.posts] == [(ROOM, f"lost {i}") for i in range(3)]
    assert len({tx_id for _, tx_id, _ in poster.posts}) == 3
    relations = [content["m.relates_to"] for _, _, content in poster.posts]
    replies = [(r["event_id"], r["m.in_reply_to"]["event_id"]) for r in relations]
    assert replies == [(ROOT, ROOT), (ROOT, "$sent1"), (ROOT, "$sent2")], "each post follows the one before it"
    assert await outbox.pending(ROOM, ROOT) == 0 and await outbox.lanes() == []
