"""The homeserver goes away and comes back: posts wait in the outbox and flow again, in order.

It stops and restarts a homeserver of its own, so the other tests' shared one is never at risk.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from testkit.homeserver import Homeserver, populate
from testkit.matrix_people import MatrixPerson, body
from tests.matrix.bridge import StartBridge, matrix_raw
from tests.matrix.chats import open_chat, posted_lines, wait_events


@pytest.fixture
def own_homeserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Homeserver]:
    hs = populate(tmp_path_factory.mktemp("synapse-outage"))
    yield hs
    hs.synapse.stop()


@pytest.fixture
async def alice(own_homeserver: Homeserver) -> AsyncIterator[MatrixPerson]:
    person = MatrixPerson(own_homeserver, "alice")
    await person.start()
    yield person
    await person.stop()


async def test_nothing_is_lost_while_the_homeserver_is_away(start_bridge: StartBridge, own_homeserver: Homeserver,
                                                             alice: MatrixPerson) -> None:
    hs, room = own_homeserver, own_homeserver.rooms["general"]
    bridge = await start_bridge(matrix_raw(hs))
    app = bridge.app
    await bridge.leading()
    chat_id, root = await open_chat(app, alice, room)
    await alice.wait_for(lambda e: alice.from_bot(room, root)(e) and body(e) == "Ann: Hello")

    await asyncio.to_thread(hs.synapse.stop)
    try:
        for i in range(3):
            await app.service.customer_message(chat_id, f"anyone? {i}")
        async with asyncio.timeout(10):
            while await bridge.adapter.outbox.pending(room, root) == 0:
                await asyncio.sleep(0.05)
        await asyncio.sleep(3)  # the homeserver stays away while the bridge keeps trying
        assert await bridge.adapter.outbox.pending(room, root) >= 1
    finally:
        await asyncio.to_thread(hs.synapse.restart)

    await alice.wait_for(lambda e: alice.from_bot(room, root)(e) and body(e).endswith("anyone? 2"), timeout=60)
    posts = [e for e in alice.events if alice.from_bot(room, root)(e)]
    assert posted_lines(posts, "Ann") == ["Hello", "anyone? 0", "anyone? 1", "anyone? 2"]
    await alice.send(room, "sorry, I'm here", thread=root)
    await wait_events(app, chat_id, lambda e: e.text == "sorry, I'm here", timeout=60)
