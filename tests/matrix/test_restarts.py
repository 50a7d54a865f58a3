"""Restarts and takeovers: nothing lost, nothing twice, one sync loop at a time."""

from typing import Any

from bridge.app import BridgeApp
from bridge.domain.events import AuthorKind, EventKind
from testkit.homeserver import Homeserver
from testkit.matrix_people import MatrixPerson, body, thread_of
from tests.matrix.bridge import StartBridge
from tests.matrix.chats import open_chat, posted_lines, wait_events


def _agent_texts(events: list[Any]) -> list[str]:
    return [e.text for e in events if e.kind == EventKind.MESSAGE and e.author.kind == AuthorKind.AGENT]


async def test_a_restart_mid_chat_loses_and_duplicates_nothing(
        start_bridge: StartBridge, app: BridgeApp, matrix_overrides: dict[str, Any], homeserver: Homeserver,
        people: dict[str, MatrixPerson]) -> None:
    alice, room = people["alice"], homeserver.rooms["general"]
    first = await start_bridge(matrix_overrides)
    await first.leading()
    chat_id, root = await open_chat(first.app, alice, room)
    await alice.send(room, "before the restart", thread=root)
    await wait_events(app, chat_id, lambda e: e.text == "before the restart")
    await first.stop()

    for i in range(3):  # the customer goes on while the bridge is down ...
        await app.service.customer_message(chat_id, f"while away {i}")
    for i in range(8):  # ... and so does Alice: more than one sync's timeline (limit 3) can hold
        await alice.send(room, f"reply {i}", thread=root)

    await start_bridge(matrix_overrides, timeline_limit=3)  # a second bridge on the same Redis
    await wait_events(app, chat_id, lambda e: e.text == "reply 7")
    await alice.wait_for(lambda e: alice.from_bot(room, root)(e) and body(e).endswith("while away 2"))
    posts = [e for e in alice.events if alice.from_bot(room, root)(e)]
    assert posted_lines(posts, "Ann") == ["Hello", "while away 0", "while away 1", "while away 2"]
    assert _agent_texts(await app.stream.read_all(chat_id)) == ["before the restart", *(f"reply {i}" for i in range(8))]
    headers = [e for e in alice.events if alice.from_bot(room)(e) and chat_id in body(e) and not thread_of(e)]
    assert len(headers) == 1


async def test_only_one_process_syncs_and_another_takes_over_when_it_dies(
        start_bridge: StartBridge, app: BridgeApp, matrix_overrides: dict[str, Any], homeserver: Homeserver,
        people: dict[str, MatrixPerson]) -> None:
    alice, room = people["alice"], homeserver.rooms["general"]
    a = await start_bridge(matrix_overrides, lock_ttl=2.0)
    await a.leading()
    b = await start_bridge(matrix_overrides, lock_ttl=2.0)
    chat_id, root = await open_chat(a.app, alice, room)
    await alice.send(room, "to a", thread=root)
    await wait_events(app, chat_id, lambda e: e.text == "to a")
    assert not b.adapter.leadership.leading and not b.adapter.sync.synced.is_set()

    await a.crash()
    await b.leading(timeout=30)
    await alice.send(room, "to b", thread=root)
    await app.service.customer_message(chat_id, "still there?")
    await wait_events(app, chat_id, lambda e: e.text == "to b")
    await alice.wait_for(lambda e: alice.from_bot(room, root)(e) and body(e).endswith("still there?"))
    assert _agent_texts(await app.stream.read_all(chat_id)) == ["to a", "to b"]
