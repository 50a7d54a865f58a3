"""A queue over two Matrix rooms in bot mode: the bot joins both, a new chat's thread opens in the quieter one
and stays there, and CSRs answer from either."""

import asyncio
from typing import Any

from bridge.domain.events import AuthorKind, EventKind
from testkit.homeserver import BOT, Homeserver
from testkit.matrix_people import MatrixPerson, body, thread_of
from tests.matrix.bridge import StartBridge
from tests.matrix.chats import hand_to, start_chat, wait_events


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

    chat = await start_chat(app, first="Hello from Ann")
    await hand_to(app, chat.id, "alice")
    [head] = await alice.wait_for(lambda e: alice.from_bot(second)(e) and chat.id in body(e) and not thread_of(e))
    root = head["event_id"]
    await alice.wait_for(lambda e: alice.from_bot(second, root)(e) and body(e) == "Ann: Hello from Ann")
    sent = await alice.send(second, "Hi Ann, from the second room", thread=root)
    [reply] = await wait_events(app, chat.id, lambda e: e.kind == EventKind.MESSAGE
                                and e.author.kind == AuthorKind.AGENT)
    assert (reply.text, reply.author.id, reply.origin.event_id) == ("Hi Ann, from the second room", "alice", sent)
    await app.service.customer_message(chat.id, "thanks!")
    await alice.wait_for(lambda e: alice.from_bot(second, root)(e) and body(e) == "Ann: thanks!")
    assert not [e for e in alice.events if alice.from_bot(first)(e) and chat.id in body(e)]

    loads = dict(zip((first, second), await load.loads("matrix", [first, second]), strict=True))
    assert loads[second] > loads[first], loads
    other = await start_chat(app, name="Bea", first="Hi from Bea")
    await hand_to(app, other.id, "alice")
    await alice.wait_for(lambda e: alice.from_bot(first)(e) and other.id in body(e) and not thread_of(e))
