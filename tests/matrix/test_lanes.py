"""Outbox lanes: each thread (and each room's timeline) sends in order on its own, so threads of one room
overlap, a post the homeserver refuses holds back only its own thread, and queued lanes resume at start."""

import asyncio
from typing import Any

from adapters.matrix.outbox import Outbox, OutboxEntry
from adapters.matrix.render import notice
from bridge.keys import Keys
from testkit.homeserver import Homeserver
from testkit.matrix_people import MatrixPerson, Seen, body
from tests.matrix.bridge import StartBridge
from tests.matrix.chats import posted_lines


def line(n: int, i: int) -> str:
    return f"thread {n} line {i}"


async def test_queued_lanes_resume_together_and_each_keeps_its_order(
        start_bridge: StartBridge, redis: Any, homeserver: Homeserver, matrix_overrides: dict[str, Any],
        people: dict[str, MatrixPerson]) -> None:
    alice, room = people["alice"], homeserver.rooms["general"]
    roots = [await alice.send(room, f"lane root {n}") for n in range(3)]
    outbox = Outbox(redis, Keys())
    for i in range(4):  # queued while no bridge runs, as a crash or a takeover leaves them
        for n, root in enumerate(roots):
            await outbox.put(room, OutboxEntry(key=f"lanes.{n}.{i}", thread=root, label="Ann", body=line(n, i),
                                               coalesce=f"c:{n}"))
    await outbox.put(room, OutboxEntry(key="lanes.timeline", content=notice("on the room timeline")))
    assert len(await outbox.lanes()) == 4

    bridge = await start_bridge(matrix_overrides, max_sending=2)
    for n, root in enumerate(roots):
        def last_line(e: Seen, root: str = root, n: int = n) -> bool:
            return alice.from_bot(room, root)(e) and body(e).endswith(line(n, 3))
        await alice.wait_for(last_line)
    await alice.wait_for(lambda e: alice.from_bot(room)(e) and body(e) == "on the room timeline")

    for n, root in enumerate(roots):
        posts = [e for e in alice.events if alice.from_bot(room, root)(e)]
        assert posted_lines(posts, "Ann") == [line(n, i) for i in range(4)]
    senders = bridge.adapter.senders
    assert senders.slots.most == 2, "lanes should send side by side, never more than max_sending at once"
    async with asyncio.timeout(20):
        while senders.running:  # an emptied lane ends its task
            await asyncio.sleep(0.05)
    assert await outbox.lanes() == []


async def test_a_refused_post_holds_back_its_own_thread_only(
        start_bridge: StartBridge, homeserver: Homeserver, matrix_overrides: dict[str, Any],
        people: dict[str, MatrixPerson]) -> None:
    alice, room = people["alice"], homeserver.rooms["general"]
    bridge = await start_bridge(matrix_overrides, max_sending=1)
    await bridge.leading()
    adapter, outbox = bridge.adapter, bridge.adapter.outbox
    stuck, free = await alice.send(room, "stuck root"), await alice.send(room, "free root")

    too_big = {"msgtype": "m.notice", "body": "x" * 70_000}  # over Matrix's 64 KiB: M_TOO_LARGE, for good
    await outbox.put(room, OutboxEntry(key="lanes.too-big", thread=stuck, content=too_big))
    adapter.wake(room, stuck)
    async with asyncio.timeout(20):
        while "refused (M_TOO_LARGE)" not in (await adapter.ready())[1]:
            await asyncio.sleep(0.05)
    await outbox.put(room, OutboxEntry(key="lanes.behind", thread=stuck, label="Ann", body="behind the refused one"))
    adapter.wake(room, stuck)
    await outbox.put(room, OutboxEntry(key="lanes.free", thread=free, label="Ann", body="in another thread"))
    adapter.wake(room, free)

    await alice.wait_for(lambda e: alice.from_bot(room, free)(e) and body(e) == "Ann: in another thread")
    assert await outbox.pending(room, stuck) == 2, "the refused post and the one behind it stay queued"
    assert not [e for e in alice.events if alice.from_bot(room, stuck)(e)], "a thread's order is never skipped"
    assert not (await adapter.ready())[0]
