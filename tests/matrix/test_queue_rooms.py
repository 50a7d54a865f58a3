"""A queue over two Matrix rooms in bot mode: the bot joins both, a new chat's thread opens in the quieter one
and stays there, and CSRs answer from either; a room the bot was kicked from is reported and passed over."""

import asyncio
from typing import Any

from bridge.domain.events import AuthorKind, EventKind
from testkit.homeserver import BOT, Homeserver
from testkit.matrix_people import MatrixPerson, body
from tests.matrix.bridge import InProcessBridge, StartBridge
from tests.matrix.chats import hand_to, header_of, open_chat, posted_lines, start_chat, wait_events


async def test_a_queue_over_two_rooms(start_bridge: StartBridge, matrix_overrides: dict[str, Any],
                                      homeserver: Homeserver, people: dict[str, MatrixPerson]) -> None:
    first = homeserver.rooms["general"]
    second = await asyncio.to_thread(homeserver.synapse.create_room, "sam", "general 2", [BOT, "alice"])
    await asyncio.to_thread(homeserver.synapse.join, "alice", second)
    rooms = {**matrix_overrides["matrix"]["rooms"], "general": [first, second]}
    bridge = await start_bridge({"matrix": {**matrix_overrides["matrix"], "rooms": rooms}})
    await bridge.leading()
    app, alice = bridge.app, people["alice"]
    assert bridge.adapter.session.queue_rooms["general"] == (first, second), "the bot joined both rooms"
    load = app.core.posts.load
    async with app.redis.pipeline(transaction=True) as pipe:
        load.count(pipe, [("matrix", first)] * 2)
        await pipe.execute()

    chat_id, root = await open_chat(app, alice, second, first="Hello from Ann")
    await alice.wait_for(lambda e: alice.from_bot(second, root)(e) and body(e) == "Ann: Hello from Ann")
    sent = await alice.send(second, "Hi Ann, from the second room", thread=root)
    [reply] = await wait_events(app, chat_id, lambda e: e.kind == EventKind.MESSAGE
                                and e.author.kind == AuthorKind.AGENT)
    assert (reply.text, reply.author.id, reply.origin.event_id) == ("Hi Ann, from the second room", "alice", sent)
    await app.service.customer_message(chat_id, "thanks!")
    await alice.wait_for(lambda e: alice.from_bot(second, root)(e) and body(e) == "Ann: thanks!")
    assert not [e for e in alice.events if alice.from_bot(first)(e) and chat_id in body(e)]

    loads = dict(zip((first, second), await load.loads("matrix", [first, second]), strict=True))
    assert loads[second] > loads[first], loads
    await open_chat(app, alice, first, name="Bea", first="Hi from Bea")


async def fresh_rooms(homeserver: Homeserver, name: str) -> tuple[str, str]:
    """Two new rooms with the bot and alice in both: a test that kicks the bot leaves the shared rooms alone."""
    made = []
    for n in (1, 2):
        room = await asyncio.to_thread(homeserver.synapse.create_room, "sam", f"{name} {n}", [BOT, "alice"])
        await asyncio.to_thread(homeserver.synapse.join, "alice", room)
        made.append(room)
    return made[0], made[1]


async def over_rooms(start_bridge: StartBridge, matrix_overrides: dict[str, Any],
                     rooms: tuple[str, str]) -> InProcessBridge:
    """A bridge whose general queue lists `rooms`, syncing, with the bot in both."""
    general = {**matrix_overrides["matrix"]["rooms"], "general": list(rooms)}
    bridge = await start_bridge({"matrix": {**matrix_overrides["matrix"], "rooms": general}})
    await bridge.leading()
    assert bridge.adapter.session.queue_rooms["general"] == rooms
    return bridge


async def invite_bot_back(homeserver: Homeserver, room: str) -> None:
    """Sam invites the bot again; returns once the bridge has joined on the invite."""
    synapse, bot = homeserver.synapse, homeserver.user_id(BOT)
    await asyncio.to_thread(synapse.invite, "sam", room, BOT)
    async with asyncio.timeout(20):
        while bot not in await asyncio.to_thread(synapse.joined, "sam", room):
            await asyncio.sleep(0.1)


def said(person: MatrixPerson, room: str, root: str, name: str) -> list[str]:
    """The customer's lines in a thread as the CSR saw them."""
    return posted_lines([e for e in person.events if person.from_bot(room, root)(e)], name)


async def test_a_room_the_bot_was_kicked_from_is_reported_and_passed_over_until_it_is_invited_back(
        start_bridge: StartBridge, matrix_overrides: dict[str, Any], homeserver: Homeserver,
        people: dict[str, MatrixPerson]) -> None:
    first, second = await fresh_rooms(homeserver, "kicked")
    bridge = await over_rooms(start_bridge, matrix_overrides, (first, second))
    app, alice, sam = bridge.app, people["alice"], people["sam"]
    await asyncio.to_thread(homeserver.synapse.kick, "sam", first, BOT)

    threads: dict[str, tuple[str, str]] = {}
    for name in ("Ann", "Bea"):
        chat_id, root = await open_chat(app, alice, second, name=name, first=f"Hello from {name}")
        await app.service.customer_message(chat_id, f"{name} again")
        threads[name] = (chat_id, root)
    ready, detail = await bridge.adapter.ready()
    assert not ready and f"M_FORBIDDEN in {first}" in detail, detail
    supervisors = homeserver.rooms["supervisors"]
    [alert] = await sam.wait_for(lambda e: sam.from_bot(supervisors)(e) and first in body(e))
    assert "M_FORBIDDEN" in body(alert) and "invite" in body(alert)

    await invite_bot_back(homeserver, first)
    await open_chat(app, alice, first, name="Cy", first="Hello from Cy")  # the quieter room serves again
    assert await bridge.adapter.ready() == (True, f"logged in as {homeserver.user_id(BOT)}, running the sync loop")
    for name, (chat_id, root) in threads.items():
        await alice.wait_for(lambda e, r=root, n=name: alice.from_bot(second, r)(e) and f"{n} again" in body(e))
        assert said(alice, second, root, name) == [f"Hello from {name}", f"{name} again"], "each line exactly once"
        assert not [e for e in alice.events if alice.from_bot(first)(e) and chat_id in body(e)]
    assert len([e for e in sam.events if sam.from_bot(supervisors)(e) and first in body(e)]) == 1, "reported once"


async def test_a_chat_whose_rooms_are_all_broken_waits_for_one_to_be_fixed(
        start_bridge: StartBridge, matrix_overrides: dict[str, Any], homeserver: Homeserver,
        people: dict[str, MatrixPerson]) -> None:
    first, second = await fresh_rooms(homeserver, "all kicked")
    bridge = await over_rooms(start_bridge, matrix_overrides, (first, second))
    app, alice = bridge.app, people["alice"]
    for room in (first, second):
        await asyncio.to_thread(homeserver.synapse.kick, "sam", room, BOT)

    chat = await start_chat(app, first="Hello, anyone?")
    await hand_to(app, chat.id, "alice")
    detail = ""
    async with asyncio.timeout(20):
        while not all(f"M_FORBIDDEN in {room}" in detail for room in (first, second)):
            await asyncio.sleep(0.1)
            _, detail = await bridge.adapter.ready()
    await app.service.customer_message(chat.id, "still waiting")
    await invite_bot_back(homeserver, second)
    root = await header_of(alice, second, chat.id, timeout=45)
    await alice.wait_for(lambda e: alice.from_bot(second, root)(e) and "still waiting" in body(e))
    assert said(alice, second, root, "Ann") == ["Hello, anyone?", "still waiting"]
    detail = (await bridge.adapter.ready())[1]
    assert first in detail and second not in detail, detail
