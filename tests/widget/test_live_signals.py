"""Reads and reactions over the chat WebSocket: both ways, bounded, and hostile frames refused clearly."""

import json
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection

from bridge.domain.events import ChatEvent, EventKind, Origin
from tests.support.events import conversation
from tests.widget.conftest import Served, open_socket
from tests.widget.test_websocket import Frame, frames_until

SLACK = Origin(platform="slack", conversation="C1", thread="1.0", event_id="")


async def _stream(served: Served, chat_id: str) -> list[ChatEvent]:
    """The chat's events but the context changes (the CSR's card), which these tests are not about."""
    return await conversation(served.app.stream, chat_id)


async def chat_with_csr_message(served: Served) -> tuple[dict[str, Any], str, str]:
    """A chat with the customer's "hi" and a supervisor's answer; returns the chat and both event ids."""
    async with served.client() as c:
        chat = await served.start_chat(c, message="hi")
    sam = served.app.config.agent("sam")
    assert sam is not None
    answer = await served.app.service.agent_message(chat["chat_id"], sam, "Hello!",
                                                    SLACK.model_copy(update={"event_id": "2.0"}))
    first = (await _stream(served, chat["chat_id"]))[0]
    return chat, first.id, answer.id


async def send(ws: ClientConnection, **frame: Any) -> Frame:
    """Sends a frame, then a ping: the first error before the pong is this frame's (else it was taken)."""
    await ws.send(json.dumps(frame))
    await ws.send(json.dumps({"type": "ping"}))
    seen = await frames_until(ws, lambda f: f["type"] in ("pong", "error"))
    if seen[-1]["type"] == "error":
        await frames_until(ws, lambda f: f["type"] == "pong")
    return seen[-1]


async def test_reads_go_both_ways_off_the_stream(served: Served) -> None:
    chat, hi, answer = await chat_with_csr_message(served)
    cid = chat["chat_id"]
    reads = served.app.core.reads
    async with open_socket(served, chat) as ws:
        assert (await send(ws, type="read", event_id=answer))["type"] == "pong"
        await reads.mark(cid, "agent", hi)
        seen = await frames_until(ws, lambda f: f["type"] == "read")
    assert seen[-1] == {"type": "read", "agent": hi}
    assert await reads.current(cid) == {"customer": answer, "agent": hi}
    assert [e.kind for e in await _stream(served, cid)] == [EventKind.MESSAGE, EventKind.MESSAGE]


async def test_a_new_socket_is_told_how_far_the_csr_has_read(served: Served) -> None:
    chat, hi, _ = await chat_with_csr_message(served)
    await served.app.core.reads.mark(chat["chat_id"], "agent", hi)
    async with open_socket(served, chat) as ws:
        seen = await frames_until(ws, lambda f: f["type"] == "read")
    assert seen[-1]["agent"] == hi


async def test_hostile_reads_are_refused(served: Served) -> None:
    chat, _, _ = await chat_with_csr_message(served)
    other, theirs, _ = await chat_with_csr_message(served)
    async with open_socket(served, chat) as ws:
        errors = [await send(ws, type="read", event_id=bad) for bad in ("x", "1-1\n", "٣-1", "1" * 20, "1-\x00")]
        foreign = await send(ws, type="read", event_id=theirs)
        future = await send(ws, type="read", event_id="99999999999999-0")
        missing = await send(ws, type="read")
    assert {e["error"] for e in errors} == {"invalid_body"}
    assert (foreign["error"], future["error"], missing["error"]) == ("unknown_event", "unknown_event", "invalid_body")
    assert await served.app.core.reads.current(chat["chat_id"]) == {}
    assert await served.app.core.reads.current(other["chat_id"]) == {}


async def test_a_flood_of_reads_is_refused_after_a_minute_s_share(served: Served) -> None:
    chat, hi, _ = await chat_with_csr_message(served)
    async with open_socket(served, chat) as ws:
        answers = [await send(ws, type="read", event_id=hi) for _ in range(65)]
    refused = [a for a in answers if a["type"] == "error"]
    assert len(refused) == 5 and refused[0]["error"] == "rate_limited" and refused[0]["retry_after"] > 0


async def test_reactions_go_both_ways_as_chat_events(served: Served) -> None:
    chat, hi, answer = await chat_with_csr_message(served)
    cid = chat["chat_id"]
    sam = served.app.config.agent("sam")
    assert sam is not None
    async with open_socket(served, chat) as ws:
        assert (await send(ws, type="reaction", target=answer, key="👍🏽"))["type"] == "pong"
        assert (await send(ws, type="reaction", target=answer, key="👍🏽", removed=True))["type"] == "pong"
        await served.app.service.agent_reaction(cid, sam, SLACK.model_copy(update={"event_id": "r1"}), hi, "🎉")
        seen = await frames_until(ws, lambda f: f["type"] == "event" and f["event"]["author"]["kind"] == "agent"
                                  and f["event"]["kind"] == "reaction")
    stored = [(e.author.kind.value, e.data) for e in await _stream(served, cid)
              if e.kind == EventKind.REACTION]
    assert stored == [("customer", {"target": answer, "key": "👍🏽", "removed": False}),
                      ("customer", {"target": answer, "key": "👍🏽", "removed": True}),
                      ("agent", {"target": hi, "key": "🎉", "removed": False})]
    assert seen[-1]["event"]["data"] == {"target": hi, "key": "🎉", "removed": False}


@pytest.mark.parametrize("key", ["", "abc", ":+1:", "👍 👍", "👍\x00", "x" * 65, "\ud83d", "👍👍", "\u200b"])
async def test_a_reaction_is_one_emoji(served: Served, key: str) -> None:
    chat, _, answer = await chat_with_csr_message(served)
    async with open_socket(served, chat) as ws:
        refused = await send(ws, type="reaction", target=answer, key=key)
    assert refused["type"] == "error" and refused["error"] in ("bad_reaction", "invalid_body", "malformed_json")
    assert len(await _stream(served, chat["chat_id"])) == 2


async def test_reactions_go_only_on_the_csr_s_messages_of_this_chat(served: Served) -> None:
    chat, hi, answer = await chat_with_csr_message(served)
    _, theirs_hi, theirs_answer = await chat_with_csr_message(served)
    async with open_socket(served, chat) as ws:
        own = await send(ws, type="reaction", target=hi, key="👍")
        foreign = await send(ws, type="reaction", target=theirs_answer, key="👍")
        unknown = await send(ws, type="reaction", target="99999999999999-0", key="👍")
        malformed = await send(ws, type="reaction", target="../x", key="👍")
    assert [own["error"], foreign["error"], unknown["error"]] == ["bad_reaction"] * 3
    assert malformed["error"] == "invalid_body"
    assert len(await _stream(served, chat["chat_id"])) == 2


async def test_a_flood_of_reactions_is_refused_and_nothing_past_the_limit_is_stored(served: Served) -> None:
    chat, _, answer = await chat_with_csr_message(served)
    async with open_socket(served, chat) as ws:
        answers = [await send(ws, type="reaction", target=answer, key="👍", removed=bool(i % 2)) for i in range(34)]
    assert [a["type"] for a in answers] == ["pong"] * 30 + ["error"] * 4
    assert answers[-1]["error"] == "rate_limited"
    assert len(await _stream(served, chat["chat_id"])) == 32
