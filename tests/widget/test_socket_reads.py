"""The socket's pusher reads the chat's stream only when the feed's announcements leave it something to learn: the
customer's own message, stored by this process right after what it last sent, goes out without a read. Whatever
else writes to the chat meanwhile, each event reaches the socket once and in order."""

import asyncio
import json
from typing import Any

import pytest

from bridge.domain.events import Author, AuthorKind, ChatEvent, EventKind
from bridge.events.stream import ChatStream, event_order
from tests.widget.conftest import Served, open_socket

MESSAGES = 30


def _counted_reads(served: Served, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    read_after = served.app.stream.read_after

    async def counted(chat_id: str, after: str = "0", count: int = 500) -> list[ChatEvent]:
        reads.append(after)
        return await read_after(chat_id, after, count)

    monkeypatch.setattr(served.app.stream, "read_after", counted)
    return reads


async def test_own_messages_go_out_without_reading_the_stream(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _counted_reads(served, monkeypatch)
    async with served.client() as c:
        chat = await served.start_chat(c, message="hello")
    async with open_socket(served, chat) as ws:
        await _events(ws, 1)
        reads.clear()
        for n in range(MESSAGES):
            await ws.send(json.dumps({"type": "message", "text": f"m{n}", "client_msg_id": f"k{n}"}))
            echoed = await _events(ws, 1)
            assert [e["text"] for e in echoed] == [f"m{n}"]
    resumed = [after for after in reads if after != "0"]  # the bot's article suggestions read from the start
    assert len(resumed) <= MESSAGES // 3, f"{len(resumed)} reads for {MESSAGES} messages"


async def test_every_event_arrives_once_in_order_while_others_write(served: Served) -> None:
    """Another process's messages (a second stream on the same Redis) and changes that name no event come
    between the customer's own; the socket must still see the stream exactly as stored."""
    app = served.app
    async with served.client() as c:
        chat = await served.start_chat(c, message="hello")
    cid = chat["chat_id"]
    other = ChatStream(app.redis, app.keys)
    csr = Author(kind=AuthorKind.AGENT, id="alice", name="Alice")

    async def other_process() -> None:
        for n in range(MESSAGES):
            await other.append(ChatEvent(chat_id=cid, kind=EventKind.MESSAGE, ts=1.0, author=csr, text=f"a{n}",
                                         client_msg_id=f"a{n}"))
            if n % 3 == 0:
                await app.feed.publish("chat", cid)
            await asyncio.sleep(0)

    async with open_socket(served, chat) as ws:
        await _events(ws, 1)
        writer = asyncio.create_task(other_process())
        for n in range(MESSAGES):
            await ws.send(json.dumps({"type": "message", "text": f"m{n}", "client_msg_id": f"k{n}"}))
        await writer
        seen = await _events(ws, 2 * MESSAGES)
    stored = [e for e in await app.stream.read_all(cid) if e.kind == EventKind.MESSAGE][1:]
    assert [(e["id"], e["text"]) for e in seen] == [(e.id, e.text) for e in stored]
    assert [event_order(e["id"]) for e in seen] == sorted(event_order(e["id"]) for e in seen)


async def _events(ws: Any, wanted: int) -> list[dict[str, Any]]:
    """The next `wanted` message events from the socket (acks and other frames skipped)."""
    events: list[dict[str, Any]] = []
    async with asyncio.timeout(10):
        while len(events) < wanted:
            frame = json.loads(await ws.recv())
            if frame["type"] == "event" and frame["event"]["kind"] == "message":
                events.append(frame["event"])
    return events
