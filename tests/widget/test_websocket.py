"""The chat WebSocket against the real service: live events, resume, messages, typing, refusals."""

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidStatus

from bridge.clock import now
from bridge.domain.agent import Presence
from bridge.domain.events import EventKind
from bridge.service import CUSTOMER_ORIGIN
from tests.support.events import conversation
from tests.widget.conftest import Served, auth, open_socket, running_bridge

Frame = dict[str, Any]


async def frames_until(ws: ClientConnection, done: Callable[[Frame], bool]) -> list[Frame]:
    """Reads frames until one matches; the timeout only guards against a hang."""
    seen: list[Frame] = []
    async with asyncio.timeout(10):
        while True:
            seen.append(json.loads(await ws.recv()))
            if done(seen[-1]):
                return seen


def texts(frames: list[Frame]) -> list[str]:
    return [f["event"]["text"] for f in frames if f["type"] == "event" and f["event"]["kind"] == "message"]


async def test_history_then_live_csr_messages_and_no_internal_notes(served: Served) -> None:
    app = served.app
    alice, sam = app.config.agent("alice"), app.config.agent("sam")
    assert alice is not None and sam is not None
    await app.router.set_presence(alice, Presence.AVAILABLE)
    async with served.client() as c:
        chat = await served.start_chat(c, message="hello")
        cid = chat["chat_id"]
        async with open_socket(served, chat) as ws:
            history = await frames_until(ws, lambda f: f["type"] == "event")
            await c.post(f"/api/v1/chats/{cid}/escalate", headers=auth(chat))
            offer = next(e for e in await app.stream.read_all(cid) if e.kind == EventKind.OFFERED)
            await app.router.accept(offer.data["offer_id"], alice, "slack")
            await app.service.note(cid, sam, "internal only", CUSTOMER_ORIGIN)
            await app.service.agent_message(cid, alice, "Hi, I'm Alice 😊",
                                            CUSTOMER_ORIGIN.model_copy(update={"platform": "slack", "event_id": "1.2"}))
            live = await frames_until(ws, lambda f: f["type"] == "event" and f["event"]["author"]["kind"] == "agent"
                                      and f["event"]["kind"] == "message")
    assert texts(history) == ["hello"]
    kinds = [f["event"]["kind"] for f in live if f["type"] == "event"]
    assert kinds == ["queued", "accepted", "message"]
    assert texts(live) == ["Hi, I'm Alice 😊"]
    assert "internal only" not in json.dumps(live)


async def test_messages_over_the_socket_are_acked_stored_once_and_echoed(served: Served) -> None:
    async with served.client() as c:
        chat = await served.start_chat(c)
    async with open_socket(served, chat) as ws:
        for _ in range(2):
            await ws.send(json.dumps({"type": "message", "text": "from the socket", "client_msg_id": "k1"}))
        seen: list[Frame] = []
        while sum(f["type"] == "ack" for f in seen) < 2 or not any(f["type"] == "event" for f in seen):
            seen += await frames_until(ws, lambda f: f["type"] in ("ack", "event"))
    acks = [f for f in seen if f["type"] == "ack"]
    events = [f["event"] for f in seen if f["type"] == "event"]
    assert acks[0]["event_id"] == acks[1]["event_id"] == events[0]["id"]
    assert [(e["text"], e["client_msg_id"]) for e in events] == [("from the socket", "k1")]
    said = [e.text for e in await conversation(served.app.stream, chat["chat_id"])]
    assert said == ["from the socket"]


async def test_reconnecting_with_after_resumes_without_repeats(served: Served) -> None:
    async with served.client() as c:
        chat = await served.start_chat(c, message="one")
        async with open_socket(served, chat) as ws:
            seen = await frames_until(ws, lambda f: f["type"] == "event")
        last = seen[-1]["event"]["id"]
        for text in ("two", "three"):  # sent while the socket is away
            await c.post(f"/api/v1/chats/{chat['chat_id']}/messages", json={"text": text}, headers=auth(chat))
    async with open_socket(served, chat, after=last) as ws:
        resumed = await frames_until(ws, lambda f: f["type"] == "event" and f["event"]["text"] == "three")
    assert texts(resumed) == ["two", "three"]


async def test_typing_goes_both_ways_without_touching_the_stream(served: Served) -> None:
    typing = served.widget.ctx.typing
    async with served.client() as c:
        chat = await served.start_chat(c, message="hi")
    cid = chat["chat_id"]
    async with open_socket(served, chat) as ws:
        await ws.send(json.dumps({"type": "typing", "typing": True}))
        await ws.send(json.dumps({"type": "ping"}))
        await frames_until(ws, lambda f: f["type"] == "pong")
        customer = await typing.current(cid)
        await typing.set(cid, "agent", "Alice", True)
        on = await frames_until(ws, lambda f: f["type"] == "typing")
        await typing.set(cid, "agent", "Alice", False)
        off = await frames_until(ws, lambda f: f["type"] == "typing")
        await typing.set(cid, "agent", "Sam", True)
        await frames_until(ws, lambda f: f["type"] == "typing" and f["typing"])
        sam = served.app.config.agent("sam")
        assert sam is not None
        await served.app.service.agent_message(cid, sam, "done typing", CUSTOMER_ORIGIN)
        sent = await frames_until(ws, lambda f: f["type"] == "typing")
    assert {side: t.name for side, t in customer.items()} == {"customer": "Ann"}
    assert on[-1] == {"type": "typing", "typing": True, "name": "Alice"}
    assert off[-1] == {"type": "typing", "typing": False, "name": ""}
    assert [f["event"]["text"] for f in sent if f["type"] == "event"] == ["done typing"]
    assert sent[-1]["typing"] is False, "a CSR's message ends their typing indicator"
    kinds = [e.kind for e in await conversation(served.app.stream, cid)]
    assert kinds == [EventKind.MESSAGE] * 2


async def test_a_typing_signal_that_ran_out_is_cleared_with_the_next_message(served: Served) -> None:
    """A CSR client that stops typing without saying so: the indicator ends when its signal runs out."""
    app = served.app
    async with served.client() as c, open_socket(served, chat := await served.start_chat(c, message="hi")) as ws:
        cid = chat["chat_id"]
        await frames_until(ws, lambda f: f["type"] == "event")
        short = json.dumps({"name": "Alice", "until": now() + 0.3})
        await app.redis.hset(app.keys.chat_typing(cid), "agent", short)
        await app.feed.publish("typing", cid)
        on = await frames_until(ws, lambda f: f["type"] == "typing")
        await asyncio.sleep(0.5)
        await c.post(f"/api/v1/chats/{cid}/messages", json={"text": "still there?"}, headers=auth(chat))
        after = await frames_until(ws, lambda f: f["type"] == "typing")
    assert on[-1] == {"type": "typing", "typing": True, "name": "Alice"}
    assert [f["event"]["text"] for f in after if f["type"] == "event"] == ["still there?"]
    assert after[-1] == {"type": "typing", "typing": False, "name": ""}


async def test_socket_messages_count_against_the_session_limit_and_a_resend_still_gets_its_ack(
        tmp_path: Path, redis: Redis, redis_url: str) -> None:
    async with running_bridge(tmp_path, redis, redis_url, widget={"messages_per_minute": 2}) as served:
        async with served.client() as c:
            chat = await served.start_chat(c)
        async with open_socket(served, chat) as ws:
            acks = []
            for i in range(2):
                await ws.send(json.dumps({"type": "message", "text": f"m{i}", "client_msg_id": f"c{i}"}))
                acks.append((await frames_until(ws, lambda f: f["type"] == "ack"))[-1])
            await ws.send(json.dumps({"type": "message", "text": "too many", "client_msg_id": "c2"}))
            refused = await frames_until(ws, lambda f: f["type"] == "error")
            await ws.send(json.dumps({"type": "message", "text": "m1", "client_msg_id": "c1"}))
            resent = await frames_until(ws, lambda f: f["type"] in ("ack", "error"))
        stored = [e.id for e in await conversation(served.app.stream, chat["chat_id"])]
    assert (refused[-1]["error"], refused[-1]["client_msg_id"]) == ("rate_limited", "c2")
    assert resent[-1] == {"type": "ack", "client_msg_id": "c1", "event_id": acks[1]["event_id"]}
    assert stored == [a["event_id"] for a in acks], "nothing stored past the limit"


async def test_bad_frames_get_errors_and_the_socket_stays_usable(served: Served) -> None:
    async with served.client() as c:
        chat = await served.start_chat(c)
    async with open_socket(served, chat) as ws:
        await ws.send("{not json")
        malformed = await frames_until(ws, lambda f: f["type"] == "error")
        await ws.send(json.dumps({"type": "message", "text": "x" * 4001, "client_msg_id": "big"}))
        too_long = await frames_until(ws, lambda f: f["type"] == "error")
        await ws.send(json.dumps({"type": "shout", "text": "hi"}))
        unknown = await frames_until(ws, lambda f: f["type"] == "error")
        await ws.send(b"\x00binary")
        binary = await frames_until(ws, lambda f: f["type"] == "error")
        await ws.send(json.dumps({"type": "message", "text": "still here"}))
        await frames_until(ws, lambda f: f["type"] == "ack")
    assert malformed[-1]["error"] == "malformed_json"
    assert (too_long[-1]["error"], too_long[-1]["client_msg_id"]) == ("message_too_long", "big")
    assert unknown[-1]["error"] == "invalid_body"
    assert binary[-1]["error"] == "bad_frame"
    said = [e.text for e in await conversation(served.app.stream, chat["chat_id"])]
    assert said == ["still here"]


async def test_refusals_origin_token_and_plain_http(served: Served) -> None:
    async with served.client() as c:
        ann = await served.start_chat(c)
        bob = await served.start_chat(c, name="Bob")
        plain = await c.get(f"/api/v1/chats/{ann['chat_id']}/ws")
    with pytest.raises(InvalidStatus) as refused:
        async with open_socket(served, ann, origin="https://evil.example"):
            pass
    assert refused.value.response.status_code == 403
    for token, code, error in ((bob["token"], 4403, "wrong_chat"), ("forged.token.x", 4401, "invalid_token")):
        async with open_socket(served, ann, token=token) as ws:
            frame = json.loads(await ws.recv())
            with pytest.raises(ConnectionClosed):
                await ws.recv()
        assert frame["error"] == error and ws.close_code == code
    async with open_socket(served, ann, after="not-an-id") as ws:
        frame = json.loads(await ws.recv())
    assert frame["error"] == "invalid_after"
    assert (plain.status_code, plain.json()["error"]) == (426, "upgrade_required")
