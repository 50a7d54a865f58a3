"""A customer's socket outlives a Redis hiccup: reading the chat fails for a moment, the socket stays open and
the next event still arrives. Found by `make faults` (b): after a Redis restart, sockets whose read failed
kept taking the customer's messages but never pushed the CSR's replies again."""

import asyncio
import json
from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from websockets.asyncio.client import connect

from bridge.clock import now
from bridge.domain.events import Author, AuthorKind, ChatEvent, EventKind, Origin
from bridge.events.stream import ChatStream
from tests.widget.conftest import HOST_ORIGIN, Served, served  # noqa: F401 - the fixture


async def test_pushing_resumes_after_redis_fails_a_read(served: Served,  # noqa: F811
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    app = served.app
    async with served.client() as c:
        chat = await served.start_chat(c, message="hello")
    await app.redis.hset(app.keys.chat(chat["chat_id"]), mapping={"state": "active", "agent_id": "alice"})
    url = f"{served.ws_url}/api/v1/chats/{chat['chat_id']}/ws?token={chat['token']}"
    async with connect(url, origin=HOST_ORIGIN, proxy=None) as ws:  # type: ignore[arg-type]
        frames: list[dict[str, Any]] = [json.loads(await ws.recv())]
        real, failures = app.stream.read_after, [RedisConnectionError("Connection closed by server.")] * 2

        async def flaky(*args: Any, **kwargs: Any) -> Any:
            if failures:
                raise failures.pop()
            return await real(*args, **kwargs)

        monkeypatch.setattr(app.stream, "read_after", flaky)
        # Stored by another process: one this process stored itself would reach the socket without a read.
        await ChatStream(app.redis, app.keys).append(ChatEvent(
            chat_id=chat["chat_id"], kind=EventKind.MESSAGE, ts=now(), text="still here", client_msg_id="1.1",
            author=Author(kind=AuthorKind.AGENT, id="alice", name="Alice"), origin=Origin(platform="slack")))
        async with asyncio.timeout(10):
            while not any(f.get("event", {}).get("text") == "still here" for f in frames):
                frames.append(json.loads(await ws.recv()))
    assert not failures, "the reads did fail"
    assert [f["event"]["text"] for f in frames if f["type"] == "event"] == ["hello", "still here"]
