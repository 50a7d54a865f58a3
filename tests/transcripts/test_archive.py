"""Closed chats go to the SQL store (SQLite, and PostgreSQL when it is reachable) through a real RQ
worker, field by field; a store that is down loses nothing; export and retention work on the result."""

import asyncio
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from redis import Redis as SyncRedis
from redis.asyncio import Redis
from rq import Queue

from bridge.app import BridgeApp
from bridge.cli import main as cli_main
from bridge.clock import now
from bridge.domain.chat import ChatState
from bridge.domain.events import Author, AuthorKind, ChatEvent, EventKind, Origin
from bridge.ports import ThreadRef
from bridge.worker import queue_name
from tests.knowledge.helpers import active_chat, boot, run, run_worker
from transcripts.jobs import RETENTION
from transcripts.store import TranscriptStore


async def _conversation(app: BridgeApp) -> str:
    """A chat with every kind of record a transcript keeps, then closed by its CSR."""
    chat = await active_chat(app, queue="billing", messages=("I was charged twice for order AB-12345",))
    receipt = await app.attachments.save(chat.id, "receipt.pdf", "application/pdf", b"%PDF-1.4 test")
    await app.service.customer_message(chat.id, "here is the receipt", attachments=[receipt])
    await run(app, "csr phrase refund-time", chat_id=chat.id)
    await run(app, "csr note double charge confirmed in PSP", chat_id=chat.id)
    await run(app, "csr article send payment-methods", chat_id=chat.id)
    await app.stream.append(ChatEvent(chat_id=chat.id, kind=EventKind.RATING, ts=now(), data={"score": 4},
                                      author=Author(kind=AuthorKind.CUSTOMER, id=chat.id, name="Eve Adams"),
                                      origin=Origin(platform="widget")))
    await app.service.close(chat.id, "resolved", "alice")
    return chat.id


async def _cli(*argv: str) -> int:
    """The admin command line, run as an admin would (its own event loop, off the test's loop)."""
    return await asyncio.to_thread(cli_main, list(argv))


async def _until(predicate: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def _close_with_feed_running(app: BridgeApp) -> str:
    """Closes a chat while the change feed runs, as in `serve`, so the `closed` change schedules the archive."""
    stop = asyncio.Event()
    feed = asyncio.create_task(app.feed.run(stop))
    await asyncio.sleep(0.2)  # let the feed start reading before the change
    chat_id = await _conversation(app)

    async def queued() -> bool:
        return bool(await app.redis.zscore(app.keys.archive_pending, chat_id))

    await _until(queued)
    stop.set()
    await feed
    return chat_id


async def test_closed_chat_is_archived_field_by_field(tmp_path: Path, redis: Redis, redis_url: str,
                                                      store_overrides: dict[str, Any]) -> None:
    app = boot(tmp_path, redis, redis_url, **store_overrides)
    chat_id = await _close_with_feed_running(app)
    live_chat = await app.chats.get(chat_id)
    assert live_chat is not None
    await app.threads.put(live_chat, ThreadRef("slack", "C1", "1700000000.000100"))
    await app.redis.set(app.keys.legacy_thread_chat("slack", "1700000000.000100"), chat_id)  # an older release's
    live_events = await app.stream.read_all(chat_id)
    assert live_chat is not None and live_chat.state == ChatState.CLOSED
    run_worker(app.config_path)

    archived = await app.transcripts.store.load(chat_id)
    await app.transcripts.store.close()
    assert archived is not None
    assert archived.chat == live_chat
    assert len(archived.events) == len(live_events)
    for stored, live in zip(archived.events, live_events, strict=True):
        for field in ("id", "kind", "ts", "author", "text", "attachments", "data", "origin", "internal"):
            assert getattr(stored, field) == getattr(live, field), field
    kinds = [e.kind for e in archived.events]
    assert kinds.count(EventKind.NOTE) == 1 and kinds.count(EventKind.CARD) == 1 and EventKind.CLOSED in kinds
    assert [a.filename for e in archived.events for a in e.attachments] == ["receipt.pdf"]
    assert await app.redis.zscore(app.keys.archive_pending, chat_id) is None
    keep = app.config.transcripts.keep_live_hours * 3600
    assert 0 < await app.redis.ttl(app.keys.chat(chat_id)) <= keep
    assert 0 < await app.redis.ttl(app.keys.chat_events(chat_id)) <= keep
    for key in (app.keys.thread_chat("slack", "C1", "1700000000.000100"),
                app.keys.legacy_thread_chat("slack", "1700000000.000100")):
        assert 0 < await app.redis.ttl(key) <= keep, f"a thread's way back to its chat expires with the chat: {key}"


async def test_chat_closed_while_the_store_is_down_is_archived_once_it_is_back(tmp_path: Path, redis: Redis,
                                                                               redis_url: str) -> None:
    folder = tmp_path / "not-yet"
    url = f"sqlite+aiosqlite:///{folder / 'archive.sqlite3'}"
    app = boot(tmp_path, redis, redis_url, store={"url": url}, transcripts={"archive_retry_seconds": [1]})
    chat_id = await _close_with_feed_running(app)
    live_events = await app.stream.read_all(chat_id)

    run_worker(app.config_path)  # the store is down: the attempt fails and books a retry
    assert await app.redis.zscore(app.keys.archive_pending, chat_id) is not None
    assert await app.redis.ttl(app.keys.chat(chat_id)) == -1
    assert await app.redis.ttl(app.keys.chat_events(chat_id)) == -1
    scheduled = Queue(queue_name(app.config, "jobs"), connection=SyncRedis.from_url(redis_url)).scheduled_job_registry
    assert scheduled.count == 1

    folder.mkdir()  # the store is back
    await asyncio.sleep(1.5)  # past the booked retry
    run_worker(app.config_path)
    archived = await TranscriptStore(url).load(chat_id)
    assert archived is not None and [e.id for e in archived.events] == [e.id for e in live_events]
    assert await app.redis.zscore(app.keys.archive_pending, chat_id) is None
    assert await app.redis.ttl(app.keys.chat(chat_id)) > 0


async def test_sweep_finds_closed_chats_whose_archive_was_never_scheduled(tmp_path: Path, redis: Redis,
                                                                          redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url)
    chat_id = await _conversation(app)  # no feed running: nobody noticed the close
    assert await app.transcripts.archiver.sweep(stale_seconds=3600) == 1
    assert await app.transcripts.archiver.sweep(stale_seconds=3600) == 0
    run_worker(app.config_path)
    assert await app.transcripts.store.load(chat_id) is not None
    await app.transcripts.store.close()


async def test_export_and_retention(tmp_path: Path, redis: Redis, redis_url: str, store_overrides: dict[str, Any],
                                    capsys: pytest.CaptureFixture[str]) -> None:
    app = boot(tmp_path, redis, redis_url, **store_overrides)
    first = await _conversation(app)
    second_chat = await active_chat(app, queue="general", messages=("=HYPERLINK(\"http://evil\")",))
    await app.service.close(second_chat.id, "resolved", "alice")
    for chat_id in (first, second_chat.id):
        await app.transcripts.archiver.mark_closed(chat_id)
    run_worker(app.config_path)

    out = tmp_path / "export.jsonl"
    assert await _cli("transcripts", "export", "--config", app.config_path, "--since", "2000-01-01",
                      "--format", "jsonl", "--output", str(out)) == 0
    docs = [json.loads(line) for line in out.read_text().splitlines()]
    assert [d["chat"]["id"] for d in docs] == [first, second_chat.id]
    assert docs[0]["chat"]["queue"] == "billing" and docs[0]["chat"]["customer"]["name"] == "Eve Adams"
    assert [e["kind"] for e in docs[0]["events"]].count("note") == 1
    assert await _cli("transcripts", "export", "--config", app.config_path, "--since", "2000-01-01",
                      "--queue", "general", "--format", "csv") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["chat_id"] for r in rows} == {second_chat.id}
    said = [r for r in rows if r["author_kind"] == "customer"]
    assert said[0]["text"] == "'=HYPERLINK(\"http://evil\")"
    assert await _cli("transcripts", "export", "--config", app.config_path, "--since", "2999-01-01") == 0
    assert capsys.readouterr().out == ""
    assert await _cli("transcripts", "export", "--config", app.config_path, "--since", "2000-01-01",
                      "--queue", "nope") == 2
    with pytest.raises(SystemExit):
        await _cli("transcripts", "export", "--config", app.config_path, "--since", "yesterday")

    store = app.transcripts.store
    assert await store.delete_closed_before(now() - 3600) == 0
    assert await store.delete_closed_before(now() + 1) == 2
    assert await store.load(first) is None
    await store.close()


async def test_retention_job_deletes_records_past_their_age_and_books_the_next_run(tmp_path: Path, redis: Redis,
                                                                                   redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url, transcripts={"retention_days": 2})
    recent = await _conversation(app)
    old = await active_chat(app, queue="general", messages=("an old question",))
    await app.service.close(old.id, "resolved", "alice")
    await app.redis.hset(app.keys.chat(old.id), "closed_at", now() - 3 * 86400)
    for chat_id in (recent, old.id):
        await app.transcripts.archiver.mark_closed(chat_id)
    run_worker(app.config_path)
    assert await app.redis.exists(app.keys.retention_scheduled)
    jobs = Queue(queue_name(app.config, "jobs"), connection=SyncRedis.from_url(redis_url))
    assert jobs.scheduled_job_registry.count == 1  # the next retention run, a day from now

    booked = await app.redis.get(app.keys.retention_scheduled)
    await app.jobs.enqueue(RETENTION)  # an admin's run now: it does the work but books no second chain
    run_worker(app.config_path)
    store = app.transcripts.store
    assert await store.load(old.id) is None
    assert await store.load(recent) is not None
    await store.close()
    assert await app.redis.get(app.keys.retention_scheduled) == booked
    assert jobs.scheduled_job_registry.get_job_ids() == [booked]


async def test_a_rating_given_after_the_archive_reaches_the_archive(tmp_path: Path, redis: Redis,
                                                                    redis_url: str) -> None:
    """Customers rate once the chat has ended, often after it was archived; reports read the archive."""
    app = boot(tmp_path, redis, redis_url)
    chat_id = await _close_with_feed_running(app)
    run_worker(app.config_path)
    assert await app.transcripts.archiver.mark_closed(chat_id) is False, "archived and unchanged: nothing to do"
    rating = await app.stream.append(ChatEvent(chat_id=chat_id, kind=EventKind.RATING, ts=now(),
                                               data={"score": 2, "comment": "slow"}, origin=Origin(platform="widget")))
    await app.transcripts.archiver.on_closed_chat_change(chat_id)
    run_worker(app.config_path)
    archived = await app.transcripts.store.load(chat_id)
    await app.transcripts.store.close()
    assert archived is not None and archived.events[-1].id == rating.event.id
    assert archived.events[-1].data == {"score": 2, "comment": "slow"}
