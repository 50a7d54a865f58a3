"""`csr report ... tag:X outcome:Y` counts only the chats filed that way, archived or still open, built by a
real RQ worker; bad filters are refused before anything is queued."""

from pathlib import Path

import pytest
from redis.asyncio import Redis

from bridge.app import BridgeApp
from bridge.commands.replies import FileReply, Table, Text
from reports.outbox import ReplyOutbox
from tests.knowledge.helpers import run_worker
from tests.routing.helpers import available, escalated, only_offer
from tests.supervision.helpers import boot, run
from tests.support.recording_surface import RecordingSurface

CHATS = {"chats": {"outcomes": ["resolved", "follow-up", "spam"]}}


async def _chat(app: BridgeApp, name: str, tags: str, outcome: str | None) -> str:
    """A chat Alice takes, tags and (unless `outcome` is None) ends and archives."""
    chat = await escalated(app, name=name)
    await run(app, "alice", f"csr accept {(await only_offer(app, 'alice')).id}")
    if tags:
        await run(app, "alice", f"csr tag {tags}", chat_id=chat.id)
    if outcome is not None:
        await run(app, "alice", f"csr end {outcome}".strip(), chat_id=chat.id)
        assert await app.transcripts.archiver.archive(chat.id) == "archived"
    return chat.id


async def _report(app: BridgeApp, surface: RecordingSurface, words: str) -> dict[str, str]:
    """The report's title and its all-queues column, by figure."""
    reply = await run(app, "sam", f"csr report {words}")
    assert isinstance(reply, Text) and not reply.error, reply
    run_worker(app.config_path)
    await ReplyOutbox(app.redis, app.keys, app.feed, app.roster, app.surfaces).on_notice("sam")
    table = surface.replies[-3][1]
    assert isinstance(table, Table)
    return {"title": table.title, **{row[0]: row[1] for row in table.rows}}


async def test_tag_and_outcome_filters_count_only_those_chats(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url, **CHATS)
    surface = RecordingSurface(platform="slack")
    app.surfaces["slack"] = surface
    await available(app, "alice")
    await _chat(app, "Ann", "refund vip", "resolved")
    await _chat(app, "Ben", "refund", "spam")
    await _chat(app, "Cid", "", "")
    await _chat(app, "Dee", "refund", None)  # still open: its live record has the tags

    everything = await _report(app, surface, "today")
    assert everything["Chats queued"] == "4"
    refunds = await _report(app, surface, "today tag:refund")
    assert refunds["Chats queued"] == "3" and refunds["title"].endswith("today, tagged refund")
    resolved = await _report(app, surface, "general outcome:Resolved tag:refund today")
    assert resolved["Chats queued"] == "1"
    assert resolved["title"] == "Report for General, today, tagged refund, outcome resolved"
    assert (await _report(app, surface, "outcome:none"))["Chats queued"] == "1"  # Cid; Dee has not ended yet
    assert (await _report(app, surface, "tag:refund tag:vip tag:spam"))["Chats queued"] == "0"
    files = [r.filename for _, r, _, _, _ in surface.replies[-2:] if isinstance(r, FileReply)]
    assert files == [f"report-today-all-tag-refund-tag-vip-tag-spam.{ext}" for ext in ("png", "csv")]


@pytest.mark.parametrize(("words", "wanted"), [
    ("tag:Kündigung", "has other characters"),
    ("tag:", "can't be empty"),
    ("outcome:won", "`won` is not an outcome; pick one of: resolved, follow-up, spam, none."),
    ("outcome:spam outcome:resolved", "Name one outcome at most"),
    ("tag:" + "x" * 5000, "at most 4000 characters"),
    (" ".join(f"tag:t{i}" for i in range(11)), "at most 10 tags"),
])
async def test_bad_filters_are_refused_and_nothing_is_queued(tmp_path: Path, redis: Redis, redis_url: str,
                                                             words: str, wanted: str) -> None:
    app = boot(tmp_path, redis, redis_url, **CHATS)
    reply = await run(app, "sam", f"csr report 7d {words}")
    assert isinstance(reply, Text) and reply.error and wanted in reply.text, reply
    assert await redis.keys("rq:job:*") == []
