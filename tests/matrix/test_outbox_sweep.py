"""The outbox sweep: posts queued in Redis whose wake-up was lost still reach the room, once each and in order."""

import asyncio
from typing import Any

from adapters.matrix.outbox import OutboxEntry
from testkit.homeserver import Homeserver
from testkit.matrix_people import MatrixPerson, Seen, body
from tests.matrix.bridge import StartBridge

SWEEP = 0.3


async def test_a_lane_whose_wake_up_was_lost_is_sent_by_the_sweep_once_and_in_order(
        start_bridge: StartBridge, homeserver: Homeserver, matrix_overrides: dict[str, Any],
        people: dict[str, MatrixPerson]) -> None:
    alice, room = people["alice"], homeserver.rooms["general"]
    root = await alice.send(room, "sweep root")
    bridge = await start_bridge(matrix_overrides, sweep_seconds=SWEEP)
    await bridge.leading()
    adapter, outbox = bridge.adapter, bridge.adapter.outbox
    await outbox.put(room, OutboxEntry(key="sweep.woken", thread=root, body="woken"))
    adapter.wake(room, root)
    await alice.wait_for(lambda e: alice.from_bot(room, root)(e) and body(e) == "woken")
    # The senders run and their start-up listing is long done: what follows is left to the sweep.
    for i in range(3):
        assert await outbox.put(room, OutboxEntry(key=f"sweep.{i}", thread=root, body=f"lost {i}"))

    def lost(e: Seen) -> bool:
        return alice.from_bot(room, root)(e) and body(e).startswith("lost ")

    await alice.wait_for(lost, count=3)
    await asyncio.sleep(3 * SWEEP)  # more sweeps, which must not send anything again
    posts = [e for e in alice.events if lost(e)]
    assert [body(e) for e in posts] == [f"lost {i}" for i in range(3)]
    replies = [e["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] for e in posts]
    woken = next(e["event_id"] for e in alice.events if alice.from_bot(room, root)(e) and body(e) == "woken")
    assert replies == [woken, posts[0]["event_id"], posts[1]["event_id"]], "each post follows the one before it"
    assert await outbox.pending(room, root) == 0 and await outbox.lanes() == []
