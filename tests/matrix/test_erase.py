"""Erasing a customer redacts what the bridge posted for them on a real Synapse: the offer card, the thread's
header, their words, their file, the context card and the notices, in bot mode and as their ghost in appservice
mode, from the archive's record after the chat's live state expired. Another customer's thread stays whole."""

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from bridge.app import BridgeApp
from bridge.domain.chat import Chat, Customer
from testkit.appservice import AppserviceHomeserver
from testkit.homeserver import Homeserver
from testkit.matrix_people import MatrixPerson, Seen, body, thread_of
from tests.matrix.bridge import InProcessBridge
from tests.matrix.chats import hand_to, header_of
from tests.matrix.test_end_to_end import PNG, available, take_offer
from tests.privacy.helpers import ANN, BOB, cli, live_keys


async def fetched(hs: Homeserver, reader: str, room: str, event_id: str) -> dict[str, Any]:
    """The event as a room member reads it now from the homeserver."""
    async with httpx.AsyncClient(timeout=10) as http:
        answer = await http.get(f"{hs.url}/_matrix/client/v3/rooms/{quote(room)}/event/{quote(event_id)}",
                                headers={"Authorization": f"Bearer {hs.token(reader)}"})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def redacted(event: dict[str, Any]) -> bool:
    return "redacted_because" in event.get("unsigned", {}) and not event.get("content", {}).get("body")


async def talk_and_end(app: BridgeApp, chat: Chat, person: MatrixPerson, room: str, root: str, sender: str) -> None:
    """The customer's words and a file reach the thread, then the chat ends and is archived; its live state
    expires (deleted here, as a day later)."""
    await app.service.customer_message(chat.id, "My card ends in 4242")
    receipt = await app.attachments.save(chat.id, "receipt.png", "image/png", PNG)
    await app.service.customer_message(chat.id, "", attachments=[receipt])
    await person.wait_for(lambda e: e.get("sender") == sender and thread_of(e) == root
                          and e["content"].get("msgtype") == "m.image")
    await app.service.close(chat.id, "resolved", "alice")
    await person.wait_for(lambda e: thread_of(e) == root and "Chat ended" in body(e))
    await asyncio.sleep(0.3)  # the context card and the last posts are recorded once the homeserver took them
    assert (await app.transcripts.archiver.archive(chat.id)).value == "archived"
    for key in await live_keys(app.redis, app, chat.id):
        await app.redis.delete(key)


def posts_in(person: MatrixPerson, room: str, root: str, senders: set[str]) -> list[Seen]:
    return [e for e in person.events if e["room_id"] == room and e.get("sender") in senders
            and e.get("type") == "m.room.message" and (e["event_id"] == root or thread_of(e) == root)]


async def test_erase_redacts_the_bridges_posts_in_the_room(bridge: InProcessBridge, homeserver: Homeserver,
                                                           people: dict[str, MatrixPerson], tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    app, alice, hs = bridge.app, people["alice"], homeserver
    room, bot = hs.rooms["general"], hs.user_id("csrbot")
    await available(alice, hs)
    chat = await app.service.start_chat(ANN, "question", "general", 0, "Where is my refund?")
    await app.service.escalate(chat.id)
    card = await take_offer(alice, ANN.name)
    root = await header_of(alice, room, chat.id)
    bobs = await app.service.start_chat(Customer(name=BOB.name, email=BOB.email), "question", "general", 0,
                                        "Bob's own words")
    await hand_to(app, bobs.id, "bob")
    bob_root = await header_of(alice, room, bobs.id)
    await alice.wait_for(lambda e: thread_of(e) == bob_root and "Bob's own words" in body(e))
    await talk_and_end(app, chat, alice, room, root, bot)
    mine = posts_in(alice, room, root, {bot})
    assert len(mine) >= 5  # header, card, three messages, the file, notices

    code, out, err = await cli(capsys, "customers", "erase", "-c", str(tmp_path / "config.toml"),
                               "--email", "ann@example.com", "--yes")
    assert code == 1, (out, err)
    [media] = [line for line in out.splitlines() if line.startswith("NOT REACHED")]
    assert media.startswith("NOT REACHED  matrix       file") and "mxc://" in media and "media repository" in media
    for post in [*mine, card]:
        assert redacted(await fetched(hs, "alice", post["room_id"], post["event_id"])), body(post)
    for post in posts_in(alice, room, bob_root, {bot}):
        assert not redacted(await fetched(hs, "alice", room, post["event_id"])), body(post)

    code, out, _ = await cli(capsys, "customers", "erase", "-c", str(tmp_path / "config.toml"),
                             "--email", "ann@example.com", "--yes")
    assert code == 0 and "nothing to erase" in out


async def test_erase_redacts_a_ghosts_words_and_renames_it(as_bridge: InProcessBridge,
                                                           as_homeserver: AppserviceHomeserver,
                                                           as_people: dict[str, MatrixPerson], tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    app, alice, hs = as_bridge.app, as_people["alice"], as_homeserver.hs
    room, bot = hs.rooms["general"], hs.user_id("csrbot")
    chat = await app.service.start_chat(ANN, "question", "general", 0, "Hello from Ann")
    await hand_to(app, chat.id, "alice")
    ghost = f"@{as_homeserver.matrix.ghost_prefix}{chat.id}:localhost"
    root = await header_of(alice, room, chat.id)
    await alice.wait_for(lambda e: e.get("sender") == ghost and body(e) == "Hello from Ann")
    await talk_and_end(app, chat, alice, room, root, ghost)
    words = posts_in(alice, room, root, {ghost})
    assert len(words) == 3

    code, out, err = await cli(capsys, "customers", "erase", "-c", str(tmp_path / "config.toml"),
                               "--user-id", "u-ann", "--yes")
    assert code == 1 and "mxc://" in out, (out, err)
    assert f"the customer's ghost {ghost} is now named [erased]" in out
    for post in posts_in(alice, room, root, {bot, ghost}):
        assert redacted(await fetched(hs, "alice", room, post["event_id"])), body(post)
    async with httpx.AsyncClient(timeout=10) as http:
        profile = await http.get(f"{hs.url}/_matrix/client/v3/profile/{quote(ghost)}/displayname",
                                 headers={"Authorization": f"Bearer {hs.token('alice')}"})
    assert profile.json() == {"displayname": "[erased]"}
