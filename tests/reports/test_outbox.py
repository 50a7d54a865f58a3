"""The reply outbox: a report that can't be built says so; a post that fails is tried again, once posted
it is gone; a reply nobody can receive is dropped with a log line, never retried forever."""

import logging
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bridge.commands.replies import FileReply, Table, Text
from reports.outbox import ReplyOutbox, ReplyTo, decode, encode
from tests.knowledge.helpers import run_worker
from tests.supervision.helpers import boot, run
from tests.support.recording_surface import RecordingSurface


def test_replies_survive_the_trip() -> None:
    for reply in (Table("T", ("a", "b"), (("1", "2"),), True), Text("hi", error=True),
                  FileReply("r.png", "image/png", bytes(range(256)), "chart")):
        assert decode(encode(reply)) == reply


async def test_a_report_without_its_store_says_so(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url, store={"url": f"sqlite+aiosqlite:///{tmp_path}/missing/dir/x.db"})
    surface = RecordingSurface(platform="slack")
    app.surfaces["slack"] = surface
    await run(app, "sam", "csr report today")
    run_worker(app.config_path)
    await ReplyOutbox(app.redis, app.keys, app.feed, app.roster, app.surfaces).on_notice("sam")
    [(who, reply, _, _, _)] = surface.replies
    assert who == "sam" and isinstance(reply, Text) and reply.error and "store is unreachable" in reply.text


async def test_public_in_the_supervisors_channel(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url, slack={"supervisors_channel": "CSUP"})
    surface = RecordingSurface(platform="slack")
    app.surfaces["slack"] = surface
    await run(app, "sam", "csr report", conversation="CSUP")
    run_worker(app.config_path)
    await ReplyOutbox(app.redis, app.keys, app.feed, app.roster, app.surfaces).on_notice("sam")
    assert [(r.public, conversation) for _, r, _, conversation, _ in surface.replies] == [(True, "CSUP")] * 3
    assert isinstance(surface.replies[0][1], Table) and surface.replies[0][1].title.endswith("today")


async def test_a_failed_post_is_retried_then_deleted(tmp_path: Path, redis: Redis, redis_url: str,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    app = boot(tmp_path, redis, redis_url)
    surface = RecordingSurface(platform="slack", fail_next=1)
    app.surfaces["slack"] = surface
    outbox = ReplyOutbox(app.redis, app.keys, app.feed, app.roster, app.surfaces)
    await outbox.put(ReplyTo("sam", "slack"), [Text("first"), Text("second")])
    await outbox.on_notice("sam")
    assert [r.text for _, r, _, _, _ in surface.replies] == ["second"]
    await outbox._retry  # the retry after a failure
    assert sorted(r.text for _, r, _, _, _ in surface.replies) == ["first", "second"]
    assert await redis.xlen(app.keys.reports_outbox) == 0
    caplog.set_level(logging.WARNING)
    await outbox.put(ReplyTo("mallory", "slack"), [Text("lost")])
    await outbox.on_notice("mallory")
    assert "has no platform to go to" in caplog.text and await redis.xlen(app.keys.reports_outbox) == 0
