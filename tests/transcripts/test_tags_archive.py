"""Tags and outcomes reach the SQL store with the chat (SQLite, and PostgreSQL when reachable), filter
`transcripts export`, show in the staff transcript, go with retention, and chats archived before them read
as untagged."""

import asyncio
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import create_async_engine

from bridge.app import BridgeApp
from bridge.cli import main as cli_main
from bridge.clock import now
from bridge.commands.replies import Text
from bridge.domain.chat import Chat, Customer
from tests.knowledge.helpers import active_chat, boot, run
from transcripts import tables as t
from transcripts.rows import chat_row
from transcripts.store import MIGRATIONS, TranscriptStore
from transcripts.view import build_view

CHATS = {"chats": {"outcomes": ["resolved", "follow-up", "spam"]}}


async def _filed(app: BridgeApp, name: str, queue: str, tags: str, outcome: str) -> str:
    chat = await active_chat(app, queue=queue, name=name, messages=(f"hello from {name}",))
    if tags:
        reply = await run(app, f"csr tag {tags}", chat_id=chat.id)
        assert isinstance(reply, Text) and not reply.error, reply
    reply = await run(app, f"csr end {outcome}".strip(), chat_id=chat.id)
    assert isinstance(reply, Text) and not reply.error, reply
    assert await app.transcripts.archiver.archive(chat.id) == "archived"
    return chat.id


async def _export(app: BridgeApp, *args: str) -> tuple[int, list[str]]:
    """The chat ids `transcripts export` writes as JSON Lines with these filters, and its exit code."""
    out = Path(app.config_path).parent / "export.jsonl"
    out.unlink(missing_ok=True)
    code = await asyncio.to_thread(cli_main, ["transcripts", "export", "--config", app.config_path,
                                              "--since", "2000-01-01", "--output", str(out), *args])
    return code, [json.loads(line)["chat"]["id"] for line in out.read_text().splitlines()] if out.exists() else []


async def test_tags_and_outcome_are_archived_and_filter_the_export(tmp_path: Path, redis: Redis, redis_url: str,
                                                                   store_overrides: dict[str, Any],
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    app = boot(tmp_path, redis, redis_url, **CHATS, **store_overrides)
    ann = await _filed(app, "Ann", "billing", "Refund vip", "resolved")
    ben = await _filed(app, "Ben", "general", "refund", "spam")
    cid = await _filed(app, "Cid", "general", "", "")
    still_open = await active_chat(app, name="Dee")
    await run(app, "csr tag refund", chat_id=still_open.id)

    live = await app.chats.get(ann)
    archived = await app.transcripts.store.load(ann)
    assert archived is not None and live is not None and archived.chat == live
    assert (archived.chat.tags, archived.chat.outcome) == (["refund", "vip"], "resolved")
    header = dict(build_view(archived.chat, archived.events, "staff").header)
    assert (header["Outcome"], header["Tags"]) == ("resolved", "refund, vip")
    assert "Tags" not in dict(build_view(archived.chat, archived.events, "customer").header)

    assert await _export(app) == (0, [ann, ben, cid])
    assert await _export(app, "--tag", "refund") == (0, [ann, ben])
    assert await _export(app, "--tag", "refund", "--tag", "#VIP") == (0, [ann])
    assert await _export(app, "--outcome", "resolved") == (0, [ann])
    assert await _export(app, "--outcome", "none") == (0, [cid])
    assert await _export(app, "--tag", "refund", "--outcome", "spam", "--queue", "general") == (0, [ben])
    capsys.readouterr()
    assert await _export(app, "--outcome", "closed-won") == (0, [])
    assert "'closed-won' is not a configured outcome (resolved, follow-up, spam)" in capsys.readouterr().err
    for bad, why in ((["--tag", "Kündigung"], "has other characters"), (["--tag", "a" * 200], "at most 32"),
                     (["--outcome", "two words"], "An outcome uses only"), (["--tag", ""], "can't be empty")):
        assert (await _export(app, *bad))[0] == 2, bad
        assert why in capsys.readouterr().err

    code = await asyncio.to_thread(cli_main, ["transcripts", "export", "--config", app.config_path, "--since",
                                              "2000-01-01", "--format", "csv", "--tag", "refund"])
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert code == 0 and {(r["chat_id"], r["chat_tags"], r["chat_outcome"]) for r in rows} == {
        (ann, "refund vip", "resolved"), (ben, "refund", "spam")}
    kinds = {r["kind"] for r in rows}
    assert {"tagged", "outcome", "closed"} <= kinds

    store = app.transcripts.store
    assert await store.delete_closed_before(now() + 1) == 3
    async with store.begin() as conn:
        assert (await conn.execute(sa.select(sa.func.count()).select_from(t.tags))).scalar_one() == 0
    await store.close()


async def test_a_chat_archived_before_tags_existed_reads_as_untagged(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}"
    chat = Chat(id="oldchat001", customer=Customer(name="Old"), topic="question", queue="general", state="closed",
                created_at=1000.0, closed_at=2000.0)
    old_row = {k: v for k, v in chat_row(chat, []).items() if k != "outcome"}

    def upgrade_to_0003(connection: Any) -> None:
        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0003")

    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(upgrade_to_0003)
        old_chats = sa.table("transcript_chats", *(sa.column(k) for k in old_row))
        await conn.execute(sa.insert(old_chats).values({**old_row, "customer": json.dumps(old_row["customer"]),
                                                        "visit": json.dumps(old_row["visit"])}))
    await engine.dispose()

    store = TranscriptStore(url)
    archived = await store.load(chat.id)
    assert archived is not None and (archived.chat.tags, archived.chat.outcome) == ([], "")
    assert [r.chat.id async for r in store.closed_since(0, outcome="")] == [chat.id]
    assert [r.chat.id async for r in store.closed_since(0, tags=["vip"])] == []
    await store.close()
