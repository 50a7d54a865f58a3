"""The appservice API as the homeserver (and anyone else) calls it: the hs_token on every call, each
transaction handled once and in order, hostile bodies and ids refused with a clear 4xx, nothing lost."""

import asyncio
import json
from typing import Any
from urllib.parse import quote

import httpx

from bridge.domain.events import AuthorKind, EventKind
from testkit.appservice import AppserviceHomeserver
from testkit.matrix_people import MatrixPerson, body
from tests.matrix.bridge import InProcessBridge
from tests.matrix.chats import open_chat, wait_events

PREFIX = "/_matrix/app/v1"


def homeserver_client(bridge: InProcessBridge, ash: AppserviceHomeserver,
                      token: str | None = None) -> httpx.AsyncClient:
    secret = ash.matrix.hs_token.get_secret_value() if token is None else token
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return httpx.AsyncClient(base_url=bridge.url, headers=headers, timeout=20, trust_env=False)


def thread_message(ash: AppserviceHomeserver, room: str, root: str, event_id: str, text: str) -> dict[str, Any]:
    """A CSR's message in a chat thread, as the homeserver would push it."""
    return {"type": "m.room.message", "room_id": room, "event_id": event_id, "sender": ash.hs.user_id("alice"),
            "origin_server_ts": 1, "content": {"msgtype": "m.text", "body": text,
                                               "m.relates_to": {"rel_type": "m.thread", "event_id": root}}}


async def test_every_call_needs_the_hs_token(as_bridge: InProcessBridge, as_homeserver: AppserviceHomeserver) -> None:
    calls = [("PUT", f"{PREFIX}/transactions/1", {"events": []}), ("GET", f"{PREFIX}/users/@x:localhost", None),
             ("GET", f"{PREFIX}/rooms/%23x:localhost", None), ("POST", f"{PREFIX}/ping", {})]
    for token, status, errcode in (("", 401, "M_UNAUTHORIZED"), ("wrong-token", 403, "M_FORBIDDEN")):
        async with homeserver_client(as_bridge, as_homeserver, token) as http:
            for method, path, body_ in calls:
                resp = await http.request(method, path, json=body_)
                assert (resp.status_code, resp.json()["errcode"]) == (status, errcode), (method, path)
    async with homeserver_client(as_bridge, as_homeserver) as http:
        assert (await http.post(f"{PREFIX}/ping", json={"transaction_id": "x"})).status_code == 200
        assert (await http.get(f"{PREFIX}/rooms/{quote('#any:localhost')}")).status_code == 404
        assert (await http.get(f"{PREFIX}/users/{quote('@mallory:localhost')}")).status_code == 404
        ghost_of_nothing = f"@{as_homeserver.matrix.ghost_prefix}nochat:localhost"
        assert (await http.get(f"{PREFIX}/users/{quote(ghost_of_nothing)}")).status_code == 404


async def test_a_repeated_transaction_is_answered_but_handled_once(as_bridge: InProcessBridge,
                                                                   as_homeserver: AppserviceHomeserver,
                                                                   as_people: dict[str, MatrixPerson]) -> None:
    room = as_homeserver.hs.rooms["general"]
    chat_id, root = await open_chat(as_bridge.app, as_people["alice"], room, name="Ada", first="hello")
    first = {"events": [thread_message(as_homeserver, room, root, "$fake-one", "first")]}
    edited = {"events": [{**thread_message(as_homeserver, room, root, "$fake-one", "first"), "unsigned": {"age": 9}}]}
    renumbered = {"events": [thread_message(as_homeserver, room, root, "$fake-two", "after a restart, id 1 again")]}
    async with homeserver_client(as_bridge, as_homeserver) as http:
        for txn, payload in (("txn-ü-1", first), ("txn-ü-1", first), ("txn-ü-1", edited), ("txn-ü-1", renumbered)):
            resp = await http.put(f"{PREFIX}/transactions/{quote(txn)}", json=payload)
            assert (resp.status_code, resp.json()) == (200, {})
    said = await wait_events(as_bridge.app, chat_id, lambda e: e.kind == EventKind.MESSAGE
                             and e.author.kind == AuthorKind.AGENT, count=2)
    assert [e.text for e in said] == ["first", "after a restart, id 1 again"]
    await asyncio.sleep(0.5)
    texts = [e.text for e in await as_bridge.app.stream.read_all(chat_id) if e.author.kind == AuthorKind.AGENT]
    assert texts == ["first", "after a restart, id 1 again"], "a repeat was handled"


async def test_hostile_input_gets_a_clear_4xx_and_loses_nothing(as_bridge: InProcessBridge,
                                                                as_homeserver: AppserviceHomeserver,
                                                                as_people: dict[str, MatrixPerson]) -> None:
    room = as_homeserver.hs.rooms["general"]
    chat_id, root = await open_chat(as_bridge.app, as_people["alice"], room, name="Ada", first="hello")
    limit = as_bridge.app.config.matrix.max_transaction_bytes
    async with homeserver_client(as_bridge, as_homeserver) as http:
        refused = [
            (await http.put(f"{PREFIX}/transactions/bad-json", content=b"{not json")),
            (await http.put(f"{PREFIX}/transactions/not-an-object", json=[1, 2])),
            (await http.put(f"{PREFIX}/transactions/events-not-a-list", json={"events": "x"})),
            (await http.put(f"{PREFIX}/transactions/nul%00id", json={"events": []})),
            (await http.put(f"{PREFIX}/transactions/{'x' * 300}", json={"events": []})),
            (await http.put(f"{PREFIX}/transactions/deep", content=b'{"events": ' + b"[" * 60_000)),
            (await http.put(f"{PREFIX}/transactions/bad-utf8", content=b'{"events": [], "x": "\xff\xfe"}')),
            (await http.put(f"{PREFIX}/transactions/huge", content=b"{" + b" " * limit + b"}")),
        ]
        assert [r.status_code for r in refused] == [400, 400, 400, 400, 400, 400, 400, 413]
        assert all(r.json()["errcode"].startswith("M_") for r in refused)
        assert (await http.put(f"{PREFIX}/transactions/a-string", json={"events": ["not an event"]})).status_code \
            == 400
        odd = {"events": [{"type": "m.room.message"}, {"room_id": 5, "event_id": []},
                          thread_message(as_homeserver, room, root, "$fake-odd", "still heard\u0000 \ud83d ok")]}
        resp = await http.put(f"{PREFIX}/transactions/{quote('🙂 odd id')}", content=json.dumps(odd).encode())
        assert resp.status_code == 200
        resp = await http.put(f"{PREFIX}/transactions/{quote('🙂 good id')}", json={"events": [
            thread_message(as_homeserver, room, root, "$fake-good", "after the noise")]})
        assert resp.status_code == 200
    said = await wait_events(as_bridge.app, chat_id, lambda e: e.kind == EventKind.MESSAGE
                             and e.author.kind == AuthorKind.AGENT, count=2)
    assert [e.origin.event_id for e in said] == ["$fake-odd", "$fake-good"]
    assert said[0].text.startswith("still heard") and "\x00" not in said[0].text


async def test_a_post_that_may_have_been_made_is_found_not_made_again(as_bridge: InProcessBridge,
                                                                      as_homeserver: AppserviceHomeserver,
                                                                      as_people: dict[str, MatrixPerson]) -> None:
    """Synapse keeps an appservice's txn ids only in memory, so after its restart a retried send is looked for."""
    masquerade = as_bridge.adapter.masquerade
    assert masquerade is not None
    room, alice = as_homeserver.hs.rooms["general"], as_people["alice"]
    content = {"msgtype": "m.notice", "body": "probe"}
    first = await masquerade.send(room, "m.room.message", content, "probe-txn-1")
    assert await masquerade.find_sent(room, "m.room.message", "probe-txn-1") == first
    again = await masquerade.send(room, "m.room.message", content, "probe-txn-1", maybe_sent=True)
    assert again == first
    assert await masquerade.find_sent(room, "m.room.message", "never-sent") == ""
    await alice.wait_for(lambda e: e.get("event_id") == first)
    assert len([e for e in alice.events if body(e) == "probe" and e["room_id"] == room]) == 1
