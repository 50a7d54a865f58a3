"""Text PostgreSQL can't store (a NUL) from every side, and records written before the edge cleaned it, still
reach the archive on a real PostgreSQL (a database of the test's own) through a real RQ worker."""

import asyncio
import json
from pathlib import Path

from redis.asyncio import Redis

from bridge.config.agents import AgentConfig
from bridge.domain.chat import ChatState
from bridge.domain.events import AuthorKind, EventKind, Origin
from tests.knowledge.helpers import run, run_worker
from tests.widget.conftest import auth, running_bridge
from transcripts.store import TranscriptStore


async def test_a_chat_full_of_nul_characters_is_archived_on_postgresql(tmp_path: Path, redis: Redis, redis_url: str,
                                                                       postgres_url: str) -> None:
    async with running_bridge(tmp_path, redis, redis_url, store={"url": postgres_url}) as served:
        app = served.app
        async with served.client() as client:
            chat = await served.start_chat(client, name="Eve\u0000 Adams", email="eve@exa\u0000mple.org",
                                           message="first\u0000 question")
            chat_id = chat["chat_id"]
            sent = await client.post(f"/api/v1/chats/{chat_id}/messages", json={"text": "a\u0000b\r\nc"},
                                     headers=auth(chat))
            assert sent.status_code == 201 and sent.json()["event"]["text"] == "ab\nc"
            empty = await client.post(f"/api/v1/chats/{chat_id}/messages", json={"text": "\u0000\u0001"},
                                      headers=auth(chat))
            assert empty.status_code == 422, "nothing is left of it: refused, not stored as an empty message"
            nameless = await client.post("/api/v1/chats", json={"name": "\u0000", "topic": "question"})
            assert nameless.status_code == 422 and nameless.json()["error"] == "invalid_body"

            await redis.hset(app.keys.chat(chat_id), mapping={"state": ChatState.ACTIVE, "agent_id": "alice",
                                                                  "platform": "slack"})
            alice = app.agent("alice")
            assert isinstance(alice, AgentConfig)
            slack = Origin(platform="slack", conversation="C1", thread="1.1", event_id="Ev1")
            await app.service.agent_message(chat_id, alice, "from Slack\u0000 \ud83d", slack)  # as slack_sdk decodes
            await run(app, "csr note a no\u0000te", chat_id=chat_id)  # a command's text (Slack or Matrix)
            legacy = {"chat_id": chat_id, "kind": "message", "ts": 1.0, "text": "stored before\u0000 the fix",
                      "author": {"kind": "customer", "id": chat_id, "name": "Eve\u0000 Adams"}}
            await redis.xadd(app.keys.chat_events(chat_id), {"e": json.dumps(legacy)})

            closed = await client.post(f"/api/v1/chats/{chat_id}/close", headers=auth(chat))
            assert closed.status_code == 200

        for _ in range(100):  # the change feed hears the close and schedules the archive
            if await redis.zscore(app.keys.archive_pending, chat_id):
                break
            await asyncio.sleep(0.05)
        await asyncio.to_thread(run_worker, app.config_path)

    store = TranscriptStore(postgres_url)
    try:
        archived = await store.load(chat_id)
    finally:
        await store.close()
    assert archived is not None, "the archive job wrote the chat"
    assert archived.chat.customer.name == "Eve Adams" and archived.chat.customer.email == "eve@example.org"
    texts = [e.text for e in archived.events if e.kind in (EventKind.MESSAGE, EventKind.NOTE)]
    assert texts == ["first question", "ab\nc", "from Slack \ufffd", "a note", "stored before the fix"]
    assert {e.author.name for e in archived.events if e.author.kind == AuthorKind.CUSTOMER} == {"Eve Adams"}
    assert await redis.ttl(app.keys.chat(chat_id)) > 0, "archived, so the live state expires"
    assert await redis.hlen(app.keys.archive_parked) == 0
