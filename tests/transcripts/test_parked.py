"""An archive the database keeps refusing is tried a bounded number of times, then parked where an admin sees
it (the log, a notice, /readyz, /metrics, `csr-bridge transcripts parked`) and archived again on request;
never retried silently forever. Real PostgreSQL (a database of the test's own), real RQ workers."""

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from redis import Redis as SyncRedis
from redis.asyncio import Redis
from rq import Queue
from rq.job import Job
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.http.server import build_asgi
from bridge.app import BridgeApp
from bridge.cli import main as cli_main
from bridge.runtime import http_parts
from bridge.worker import queue_name
from tests.knowledge.helpers import active_chat, boot, run_worker
from transcripts.jobs import ARCHIVE
from transcripts.store import TranscriptStore

FAST_RETRIES = {"archive_max_attempts": 3, "archive_retry_seconds": [0]}


async def _sql(url: str, statement: str) -> None:
    """What a database administrator would run by hand."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def _closed_chat(app: BridgeApp, name: str) -> str:
    chat = await active_chat(app, queue="general", name=name, messages=("hello",))
    await app.service.close(chat.id, "resolved", "alice")
    assert await app.transcripts.archiver.mark_closed(chat.id)
    return chat.id


async def _get(app: BridgeApp, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=build_asgi(http_parts(app)))
    async with httpx.AsyncClient(transport=transport, base_url="http://b") as client:
        return await client.get(path)


async def _metric(app: BridgeApp, name: str, **labels: str) -> float:
    families = text_string_to_metric_families((await _get(app, "/metrics")).text)
    found = [s.value for f in families for s in f.samples if s.name == name and s.labels == labels]
    assert len(found) == 1, (name, labels)
    return found[0]


async def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The admin command line, run as an admin would (its own event loop, off the test's loop)."""
    code = await asyncio.to_thread(cli_main, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _jobs_waiting(app: BridgeApp) -> int:
    """Archive jobs queued or booked for later (the retention job books itself after an archive)."""
    queue = Queue(queue_name(app.config, "jobs"), connection=SyncRedis.from_url(app.redis_url))
    ids = queue.job_ids + queue.scheduled_job_registry.get_job_ids()
    return sum(job.func_name == ARCHIVE for job in Job.fetch_many(ids, connection=queue.connection) if job)


async def test_a_chat_the_database_keeps_refusing_is_parked_and_archived_once_fixed(
        tmp_path: Path, redis: Redis, redis_url: str, postgres_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    app = boot(tmp_path, redis, redis_url, store={"url": postgres_url}, transcripts=FAST_RETRIES)
    store = app.transcripts.store
    assert await store.load("none") is None  # the schema is in place
    await _sql(postgres_url, "ALTER TABLE transcript_chats ADD CONSTRAINT no_mallory "
                             "CHECK (customer_name <> 'Mallory')")
    refused = await _closed_chat(app, "Mallory")
    also_refused = await _closed_chat(app, "Mallory")
    kept = await _closed_chat(app, "Eve Adams")

    await asyncio.to_thread(run_worker, app.config_path)  # three attempts each, then it gives up
    assert await store.load(kept) is not None and await store.load(refused) is None
    parked = await app.transcripts.archiver.parked.all()
    assert {p.chat_id for p in parked} == {refused, also_refused}
    assert all(p.attempts == 3 and "no_mallory" in p.error for p in parked)
    assert all("Mallory" not in p.error for p in parked), "statement parameters (customer text) stay out of errors"
    assert _jobs_waiting(app) == 0 and await redis.zscore(app.keys.archive_pending, refused) is None
    assert await app.transcripts.archiver.sweep(stale_seconds=0) == 0, "no sweep picks a parked chat up again"
    assert await redis.ttl(app.keys.chat(refused)) == -1, "its live state stays until it is archived"
    [notice] = [f for _, f in await redis.xrange(app.keys.notices)]  # one alert for the pair, not one a chat
    assert notice["agent"] == "sam" and "transcripts parked" in notice["text"]  # no admin: the supervisor

    ready = await _get(app, "/readyz")
    body = ready.json()
    assert ready.status_code == 200 and body["ready"] and body["degraded"], "degraded, still serving customers"
    assert body["checks"]["transcripts"]["detail"].startswith("2 chat(s) parked")
    assert await _metric(app, "csr_transcripts_parked") == 2
    assert await _metric(app, "csr_archive_failures_total", kind="refused") == 6
    assert await _metric(app, "csr_archive_failures_total", kind="parked") == 2
    cli = ("--config", app.config_path)
    code, out, _ = await _cli(capsys, "transcripts", "parked", *cli)
    assert code == 0 and refused in out and also_refused in out and "no_mallory" in out and kept not in out

    await _sql(postgres_url, "ALTER TABLE transcript_chats DROP CONSTRAINT no_mallory")  # the admin fixes the cause
    assert (await _cli(capsys, "transcripts", "retry", *cli, "--all"))[0] == 0
    await asyncio.to_thread(run_worker, app.config_path)
    archived = [await store.load(c) for c in (refused, also_refused)]
    await store.close()
    assert all(a is not None and a.chat.customer.name == "Mallory" for a in archived)
    assert await app.transcripts.archiver.parked.all() == []
    assert not any(d.startswith("transcripts") for d in (await _get(app, "/readyz")).json()["degraded"])
    assert await _metric(app, "csr_transcripts_parked") == 0
    assert await redis.ttl(app.keys.chat(refused)) > 0
    code, _, err = await _cli(capsys, "transcripts", "retry", *cli, refused)
    assert code == 1 and f"not parked: {refused}" in err


async def test_a_record_that_cannot_be_built_is_parked_too(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    """A corrupt live record (a bug, a hand edit) fails before the database: bounded the same way."""
    app = boot(tmp_path, redis, redis_url, transcripts=FAST_RETRIES)
    chat_id = await _closed_chat(app, "Eve Adams")
    await redis.xadd(app.keys.chat_events(chat_id), {"e": "{not json"})
    await asyncio.to_thread(run_worker, app.config_path)
    [parked] = await app.transcripts.archiver.parked.all()
    assert parked.chat_id == chat_id and parked.attempts == 3 and parked.error.startswith("ValidationError")
    assert _jobs_waiting(app) == 0


async def test_an_unreachable_store_is_waited_out_not_parked_and_shows_on_readyz(
        tmp_path: Path, redis: Redis, redis_url: str) -> None:
    folder = tmp_path / "not-yet"
    url = f"sqlite+aiosqlite:///{folder / 'archive.sqlite3'}"
    overrides: dict[str, Any] = {"store": {"url": url}, "transcripts": {**FAST_RETRIES, "archive_retry_seconds": [1]}}
    app = boot(tmp_path, redis, redis_url, **overrides)
    chat_id = await _closed_chat(app, "Eve Adams")
    for _ in range(4):  # more attempts than archive_max_attempts
        await asyncio.to_thread(run_worker, app.config_path)
        await asyncio.sleep(1.3)
    assert await app.transcripts.archiver.parked.all() == []
    assert await redis.zscore(app.keys.archive_pending, chat_id) is not None and _jobs_waiting(app) == 1
    detail = (await _get(app, "/readyz")).json()["checks"]["transcripts"]
    assert detail["degraded"] and "unreachable" in detail["detail"] and "1 archive(s) waiting" in detail["detail"]
    assert await _metric(app, "csr_archive_failures_total", kind="unreachable") >= 4

    folder.mkdir()
    await asyncio.to_thread(run_worker, app.config_path)
    assert await TranscriptStore(url).load(chat_id) is not None
    assert (await _get(app, "/readyz")).json()["checks"]["transcripts"]["ok"] is True
