"""Live signals on a real Synapse, both ways: a CSR's typing and read receipts reach the chat's state the widget
shows (bot mode through sync, appservice mode pushed in transactions), and in appservice mode the customer's
typing and reading show in the thread as their ghost's."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nio import ErrorResponse

from bridge.app import BridgeApp
from bridge.domain.events import AuthorKind, EventKind
from testkit.appservice import AppserviceHomeserver
from testkit.homeserver import Homeserver
from testkit.matrix_people import MatrixPerson, body, thread_of
from tests.matrix.bridge import InProcessBridge
from tests.matrix.chats import open_chat, wait_events


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 30.0) -> None:
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.05)


@dataclass
class Thread:
    chat_id: str
    room: str
    root: str
    reply: str
    """Alice's message's Matrix event id."""


async def csr_signals_reach_the_chat(app: BridgeApp, hs: Homeserver, alice: MatrixPerson, ghost_prefix: str = "") \
        -> Thread:
    """Alice takes a chat, answers, types in its room and reads the customer's words: the chat's state shows both."""
    room, bot = hs.rooms["general"], hs.user_id("csrbot")
    chat_id, root = await open_chat(app, alice, room, name="Ada", first="Is anyone there?")
    sender = f"{ghost_prefix}{chat_id}:localhost" if ghost_prefix else bot
    [words] = await alice.wait_for(lambda e: e.get("sender") == sender and thread_of(e) == root
                                   and "Is anyone there?" in body(e))
    [first] = await wait_events(app, chat_id, lambda e: e.kind == EventKind.MESSAGE)
    reply = await alice.send(room, "Yes, I'm here.", thread=root)  # her typing in this room now shows in this chat

    assert not isinstance(await alice.client.room_typing(room, True, 20_000), ErrorResponse)

    async def typing_shown() -> bool:
        typist = (await app.core.typing.current(chat_id)).get("agent")
        return typist is not None and typist.name == "Alice"
    await until(typing_shown)
    assert not isinstance(await alice.client.room_typing(room, False), ErrorResponse)

    async def typing_gone() -> bool:
        return "agent" not in await app.core.typing.current(chat_id)
    await until(typing_gone)

    receipt = await alice.client.update_receipt_marker(room, words["event_id"], thread_id=root)
    assert not isinstance(receipt, ErrorResponse), receipt

    async def seen() -> bool:
        return (await app.core.reads.current(chat_id)).get("agent") == first.id
    await until(seen)
    return Thread(chat_id, room, root, reply)


async def test_bot_mode_shows_a_csrs_typing_and_reading(bridge: InProcessBridge, homeserver: Homeserver,
                                                       people: dict[str, MatrixPerson]) -> None:
    await bridge.leading()
    await csr_signals_reach_the_chat(bridge.app, homeserver, people["alice"])


async def test_appservice_mode_shows_signals_both_ways(as_bridge: InProcessBridge,
                                                       as_homeserver: AppserviceHomeserver,
                                                       as_people: dict[str, MatrixPerson]) -> None:
    app, alice = as_bridge.app, as_people["alice"]
    prefix = f"@{as_homeserver.matrix.ghost_prefix}"
    thread = await csr_signals_reach_the_chat(app, as_homeserver.hs, alice, prefix)
    ghost = f"{prefix}{thread.chat_id}:localhost"

    await app.core.typing.set(thread.chat_id, "customer", "Ada", True)
    await alice.wait_for(lambda e: e["type"] == "m.typing" and e["room_id"] == thread.room and ghost in e["users"],
                         signals=True)
    await app.core.typing.set(thread.chat_id, "customer", "Ada", False)
    await alice.wait_for(lambda e: e["type"] == "m.typing" and e["room_id"] == thread.room
                         and ghost not in e["users"], signals=True)

    [reply] = await wait_events(app, thread.chat_id, lambda e: e.kind == EventKind.MESSAGE
                                and e.author.kind == AuthorKind.AGENT)
    await app.core.reads.mark(thread.chat_id, "customer", reply.id)
    [read] = await alice.wait_for(lambda e: e["type"] == "m.receipt" and e["user_id"] == ghost, signals=True)
    assert (read["event_id"], read["thread_id"]) == (thread.reply, thread.root)
