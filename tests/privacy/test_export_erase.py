"""`csr-bridge customers export|erase|audit` end to end on a real Redis and both SQL stores (SQLite with files on
disk, PostgreSQL with files in the database): Ann asks for her data, then for its erasure; Bob's stays."""

import base64
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy import select

from bridge.app import BridgeApp
from tests.privacy.helpers import (
    ANN,
    ANN_ELSEWHERE,
    BOB,
    PNG,
    boot,
    chat_with,
    cli,
    closed_and_archived,
    document,
    live_keys,
)
from tests.support.postgres import own_database
from transcripts import tables as t
from transcripts.archive import ArchiveOutcome

Cast = tuple[BridgeApp, Path, dict[str, str]]


@pytest.fixture(params=["sqlite", "postgresql"])
async def store_settings(request: pytest.FixtureRequest) -> AsyncIterator[dict[str, Any]]:
    if request.param == "sqlite":
        yield {}
        return
    async with own_database() as url:
        yield {"store": {"url": url, "attachments": "database"}}


@pytest.fixture
async def cast(tmp_path: Path, redis: Redis, redis_url: str, store_settings: dict[str, Any]) -> AsyncIterator[Cast]:
    """Ann: an archived chat (a file, a rating, a case), one from another browser, one still open. Bob: an archived
    chat with a file, and an open one."""
    app, path = boot(tmp_path, redis, redis_url, **store_settings)
    archived = await chat_with(app, ANN, "Where is my refund?", "It was 12.50", file=PNG)
    await closed_and_archived(app, archived, rating=5, case="CASE-1", tags=("refund", "vip"))
    elsewhere = await chat_with(app, ANN_ELSEWHERE, "Me again, from my phone")
    await closed_and_archived(app, elsewhere)
    open_chat = await chat_with(app, ANN, "One more thing")
    bobs = await chat_with(app, BOB, "Hello, Bob here", file=b"bob's file")
    await closed_and_archived(app, bobs, rating=2)
    bobs_open = await chat_with(app, BOB, "Bob again")
    yield app, path, {"archived": archived.id, "elsewhere": elsewhere.id, "open": open_chat.id, "bob": bobs.id,
                      "bob_open": bobs_open.id}
    await app.transcripts.store.close()


async def _rows(app: BridgeApp, table: Any, column: Any, values: list[str]) -> list[Any]:
    async with app.transcripts.store.begin() as conn:
        return list((await conn.execute(select(table).where(column.in_(values)))).mappings())


async def test_export_holds_everything_about_the_person_and_nothing_of_others(
        cast: Cast, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app, config, ids = cast
    out = tmp_path / "ann.json"
    code, _, err = await cli(capsys, "customers", "export", "-c", str(config), "--email", "ANN@example.COM",
                             "-o", str(out), "--by", "dpo@example.com")
    assert code == 0, err
    assert "3 chats" in err and "about email a***@example.com" in err
    assert out.stat().st_mode & 0o777 == 0o600
    doc = document(out)
    assert (doc["format"], doc["version"], doc["found"]) == ("csr-bridge/customer-export", 1, True)
    assert doc["request"] == {"email": "ann@example.com"}
    assert {c["id"] for c in doc["customers"]} == {ANN.id, ANN_ELSEWHERE.id}
    chats = {c["id"]: c for c in doc["chats"]}
    assert set(chats) == {ids["archived"], ids["elsewhere"], ids["open"]}

    archived = chats[ids["archived"]]
    assert (archived["archived"], archived["live"], archived["state"]) == (True, True, "closed")
    assert archived["customer"]["verified"] and archived["customer"]["attributes"] == {"plan": "gold"}
    assert (archived["tags"], archived["outcome"]) == (["refund", "vip"], "")
    said = [(e["author"]["kind"], e["text"]) for e in archived["events"] if e["kind"] == "message"]
    assert said == [("customer", "Where is my refund?"), ("customer", "It was 12.50"), ("customer", "my receipt"),
                    ("agent", "Thanks, looking into it.")]
    [rating] = archived["ratings"]
    assert (rating["score"], rating["comment"]) == (5, "quick and kind")
    [case] = archived["cases"]
    assert (case["reference"], case["type"], case["fields"]) == ("CASE-1", "refund", {"amount": "12.50"})
    assert case["delivery"] == "delivered"
    [file] = archived["attachments"]
    assert (file["filename"], file["stored"]) == ("receipt.png", True)
    assert base64.b64decode(file["data_base64"]) == PNG
    assert not chats[ids["elsewhere"]]["customer"]["verified"]
    assert (chats[ids["open"]]["live"], chats[ids["open"]]["archived"]) == (True, False)
    assert "Bob" not in out.read_text() and "bob's file" not in out.read_text()

    code, _, err = await cli(capsys, "customers", "export", "-c", str(config), "--user-id", "u-ann", "-o",
                             str(tmp_path / "by-id.json"))
    assert code == 0, err
    assert {c["id"] for c in document(tmp_path / "by-id.json")["chats"]} == {ids["archived"], ids["open"]}, \
        "a user id names the verified identity only, not a browser that merely gave the same email"


async def test_erase_removes_the_person_everywhere_and_leaves_others_alone(
        cast: Cast, redis: Redis, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app, config, ids = cast
    ann_chats = [ids["archived"], ids["elsewhere"], ids["open"]]
    [attachment] = [a for e in await app.stream.read_all(ids["archived"]) for a in e.attachments]
    [bobs_file] = [a for e in await app.stream.read_all(ids["bob"]) for a in e.attachments]

    code, out, err = await cli(capsys, "customers", "erase", "-c", str(config), "--email", "ann@example.com", "--yes")
    assert code == 1 and f"chat {ids['open']} is open" in err and "nothing was erased" in err
    assert len(await _rows(app, t.chats, t.chats.c.id, ann_chats)) == 2

    code, out, err = await cli(capsys, "customers", "erase", "-c", str(config), "--email", "ann@example.com",
                               "--yes", "--end-open-chats", "--by", "dpo")
    assert code == 1, (out, err)  # the case sent to the CRM is for someone to erase there
    assert "NOT REACHED  crm          case CASE-1 (refund)" in out
    assert f"erased       chat         chat {ids['open']}: ended" in out
    assert "Erased" in out and "1 could not be reached" in out
    for chat_id in ann_chats:
        assert await live_keys(redis, app, chat_id) == []
        assert await app.chats.get(chat_id) is None
        assert not await redis.sismember(app.keys.open_chats, chat_id)
    assert await _rows(app, t.chats, t.chats.c.id, ann_chats) == []
    assert await _rows(app, t.events, t.events.c.chat_id, ann_chats) == []
    assert await _rows(app, t.cases, t.cases.c.chat_id, ann_chats) == []
    assert await _rows(app, t.tags, t.tags.c.chat_id, ann_chats) == []
    assert await _rows(app, t.customers, t.customers.c.id, [ANN.id, ANN_ELSEWHERE.id]) == []
    assert await _rows(app, t.customer_chats, t.customer_chats.c.chat_id, ann_chats) == []
    assert await app.attachments.read(attachment.id) is None
    assert not (tmp_path / "data" / "attachments" / ids["archived"]).exists()
    assert await redis.get(app.keys.case("CASE-1")) is None

    assert (await app.transcripts.archiver.archive(ids["open"])) is ArchiveOutcome.ERASED, \
        "an archive job still running for an erased chat must not write it back"
    assert not await app.transcripts.archiver.mark_closed(ids["open"])
    assert await _rows(app, t.chats, t.chats.c.id, ann_chats) == []

    assert [r["id"] for r in await _rows(app, t.chats, t.chats.c.id, [ids["bob"]])] == [ids["bob"]]
    assert len(await _rows(app, t.events, t.events.c.chat_id, [ids["bob"]])) >= 3
    assert await _rows(app, t.customers, t.customers.c.id, [BOB.id])
    assert await app.chats.get(ids["bob_open"]) is not None and await app.chats.get(ids["bob"]) is not None
    found = await app.attachments.read(bobs_file.id)
    assert found is not None and found[1] == b"bob's file"

    code, out, _ = await cli(capsys, "customers", "erase", "-c", str(config), "--email", "ann@example.com", "--yes")
    assert (code, out.strip()) == (0, "nothing is kept about email a***@example.com; nothing to erase")


async def test_every_request_is_audited_without_keeping_who_it_was_about(
        cast: Cast, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app, config, _ = cast
    for argv in (("export", "--email", "ann@example.com", "-o", str(tmp_path / "a.json"), "--by", "dpo"),
                 ("export", "--email", "nobody@example.com", "-o", str(tmp_path / "n.json")),
                 ("erase", "--user-id", "u-ann", "--yes", "--by", "dpo"),
                 ("erase", "--user-id", "u-ann", "--yes", "--end-open-chats", "--by", "dpo")):
        await cli(capsys, "customers", argv[0], "-c", str(config), *argv[1:])
    async with app.transcripts.store.begin() as conn:
        rows = list((await conn.execute(select(t.customer_requests).order_by(t.customer_requests.c.id))).mappings())
    assert [(r["action"], r["selector"], r["outcome"]) for r in rows] == [
        ("export", "email", "done"), ("export", "email", "nothing_found"), ("erase", "user_id", "refused"),
        ("erase", "user_id", "partial")]
    assert rows[0]["requested_by"] == "dpo" and rows[1]["requested_by"]  # the OS user when --by is not given
    assert rows[0]["counts"]["chats"] == 3 and rows[0]["counts"]["attachments"] == 1
    assert rows[3]["counts"]["chats"] == 2 and rows[3]["counts"]["not_reached"] == 1
    assert "CASE-1" in rows[3]["detail"]
    assert rows[0]["selector_hint"] == "a***@example.com" and rows[2]["selector_hint"] == "u-***"
    kept = " ".join(str(v) for r in rows for v in r.values())
    assert "ann@example.com" not in kept.lower() and "u-ann" not in kept

    code, out, _ = await cli(capsys, "customers", "audit", "-c", str(config))
    assert code == 0 and len(out.strip().splitlines()) == 5
    assert "erase   user_id u-***" in out and "partial" in out and "nothing_found" in out
    code, out, _ = await cli(capsys, "customers", "audit", "-c", str(config), "--email", "Ann@Example.com")
    assert code == 0 and [line.split()[4] for line in out.strip().splitlines()[1:]] == ["export"]
    assert (await cli(capsys, "customers", "audit", "-c", str(config), "--limit", "1"))[1].count("\n") == 2


async def test_nothing_found_is_an_empty_document_and_says_so(
        cast: Cast, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, config, _ = cast
    out = tmp_path / "nobody.json"
    for selector in (("--email", "%@%"), ("--email", "'OR'1'='1'--@example.com"), ("--user-id", "u-*"),
                     ("--user-id", ANN.id)):
        code, _, err = await cli(capsys, "customers", "export", "-c", str(config), *selector, "-o", str(out))
        assert code == 0 and "nothing is kept about" in err and "wrote an empty document" in err, selector
        doc = document(out)
        assert (doc["found"], doc["customers"], doc["chats"]) == (False, [], []), selector


async def test_erase_asks_first_at_a_terminal(cast: Cast, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    app, config, ids = cast
    answers = iter(["no", "erase"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: print(prompt) or next(answers))
    code, out, _ = await cli(capsys, "customers", "erase", "-c", str(config), "--user-id", "u-ann",
                             "--end-open-chats")
    assert code == 1 and "2 chat(s), 1 of them open (they will be ended)" in out and "cancelled" in out
    assert await app.chats.get(ids["open"]) is not None
    code, out, _ = await cli(capsys, "customers", "erase", "-c", str(config), "--user-id", "u-ann",
                             "--end-open-chats")
    assert code == 1 and 'Type "erase" to go on' in out and "Erased" in out
    assert await app.chats.get(ids["open"]) is None
    async with app.transcripts.store.begin() as conn:
        outcomes = [r[0] for r in await conn.execute(select(t.customer_requests.c.outcome))]
    assert outcomes == ["cancelled", "partial"]
