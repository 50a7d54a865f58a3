"""Attachments kept in PostgreSQL (`[store] attachments = "database"`), against the real server, each test in a
database of its own: a file uploaded through one host downloads from another that shares no disk with it, the
limits hold as on disk, and hostile uploads (too big, cut off) leave nothing behind."""

import asyncio
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from redis.asyncio import Redis

from bridge.attachments import AttachmentTooLarge
from tests.support.postgres import own_database
from tests.widget.conftest import HOST_ORIGIN, auth, running_bridge
from transcripts.attachments import DatabaseAttachments
from transcripts.store import TranscriptStore

PDF = b"%PDF-1.4\n" + secrets.token_bytes(1_300_000)
"""Over five chunks of 256 KiB, random so a chunk out of order or twice would show."""


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with own_database() as url:
        yield url


def in_database(url: str, max_bytes: int = 2_000_000) -> dict:
    return {"store": {"url": url, "attachments": "database"},
            "widget": {"uploads": {"max_bytes": max_bytes, "allowed_types": ["application/pdf", "text/plain"]}}}


async def rows(url: str, table: str) -> int:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
    finally:
        await conn.close()


async def test_a_file_uploaded_on_one_host_downloads_on_another(tmp_path: Path, redis: Redis, redis_url: str,
                                                                postgres_url: str) -> None:
    for host in ("host-a", "host-b"):
        (tmp_path / host).mkdir()
    async with running_bridge(tmp_path / "host-a", redis, redis_url, **in_database(postgres_url)) as a, \
            running_bridge(tmp_path / "host-b", redis, redis_url, **in_database(postgres_url)) as b:
        async with a.client() as ca, b.client() as cb:
            chat = await a.start_chat(ca)
            up = await ca.post(f"/api/v1/chats/{chat['chat_id']}/attachments",
                               files={"file": ("report.pdf", PDF, "application/pdf")}, headers=auth(chat))
            att = up.json()["event"]["attachments"][0]
            from_b = await cb.get(att["url"], headers=auth(chat))
            other = await b.start_chat(cb, name="Bob")
            not_theirs = await cb.get(f"/api/v1/chats/{other['chat_id']}/attachments/{att['id']}",
                                      headers=auth(other))
    assert up.status_code == 201 and att["size"] == len(PDF)
    assert from_b.status_code == 200 and from_b.content == PDF
    assert from_b.headers["content-length"] == str(len(PDF))
    assert from_b.headers["content-type"] == "application/pdf"
    assert not_theirs.status_code == 404
    assert await rows(postgres_url, "attachment_chunks") == -(-len(PDF) // (256 * 1024))
    assert not (tmp_path / "host-a" / "data" / "attachments").exists()


async def test_concurrent_downloads_each_get_the_whole_file(tmp_path: Path, redis: Redis, redis_url: str,
                                                            postgres_url: str) -> None:
    async with running_bridge(tmp_path, redis, redis_url, **in_database(postgres_url)) as served:
        async with served.client() as c:
            chat = await served.start_chat(c)
            up = await c.post(f"/api/v1/chats/{chat['chat_id']}/attachments",
                              files={"file": ("report.pdf", PDF, "application/pdf")}, headers=auth(chat))
            url = up.json()["event"]["attachments"][0]["url"]
            got = await asyncio.gather(*(c.get(url, headers=auth(chat)) for _ in range(20)))
    assert [(r.status_code, r.content == PDF) for r in got] == [(200, True)] * 20


async def test_too_big_and_cut_off_uploads_leave_nothing(tmp_path: Path, redis: Redis, redis_url: str,
                                                         postgres_url: str) -> None:
    async with running_bridge(tmp_path, redis, redis_url, **in_database(postgres_url, max_bytes=1000)) as served:
        async with served.client() as c:
            chat = await served.start_chat(c)
            url = f"/api/v1/chats/{chat['chat_id']}/attachments"
            big = await c.post(url, files={"file": ("big.pdf", PDF, "application/pdf")}, headers=auth(chat))
            nul = await c.post(url, files={"file": ("x.txt", b"ok\x00", "text/plain")}, headers=auth(chat))
            await cut_off_upload(served.url, url, chat["token"])
            after = await c.post(url, files={"file": ("ok.txt", b"still works", "text/plain")}, headers=auth(chat))
    assert (big.status_code, big.json()["error"]) in ((413, "file_too_large"), (413, "body_too_large"))
    assert (nul.status_code, nul.json()["error"]) == (415, "content_mismatch")
    assert after.status_code == 201
    assert await rows(postgres_url, "attachments") == 1  # the one good upload
    assert await rows(postgres_url, "attachment_chunks") == 1


async def test_an_unreachable_database_answers_503_and_keeps_nothing(tmp_path: Path, redis: Redis,
                                                                     redis_url: str) -> None:
    nowhere = "postgresql+asyncpg://postgres@127.0.0.1:1/none"
    async with running_bridge(tmp_path, redis, redis_url, **in_database(nowhere)) as served:
        async with served.client() as c:
            chat = await served.start_chat(c)
            up = await c.post(f"/api/v1/chats/{chat['chat_id']}/attachments",
                              files={"file": ("a.txt", b"hello", "text/plain")}, headers=auth(chat))
            down = await c.get(f"/api/v1/chats/{chat['chat_id']}/attachments/{chat['chat_id']}.abcdefabcdef",
                               headers=auth(chat))
        events = await served.app.stream.read_all(chat["chat_id"])
    assert (up.status_code, up.json()["error"]) == (503, "unavailable")
    assert (down.status_code, down.json()["error"]) == (503, "unavailable")
    assert not any(e.attachments for e in events)


async def cut_off_upload(base: str, path: str, token: str) -> None:
    """Announces 900 bytes of multipart body, sends half of it and hangs up."""
    host, port = base.removeprefix("http://").split(":")
    body = (b"--zz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
            b"Content-Type: text/plain\r\n\r\n" + b"a" * 800 + b"\r\n--zz--\r\n")
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nOrigin: {HOST_ORIGIN}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary=zz\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(head + body[:len(body) // 2])
    await writer.drain()
    await asyncio.sleep(0.2)
    writer.close()
    await writer.wait_closed()
    await asyncio.sleep(0.3)  # the server sees the disconnect


async def test_the_store_keeps_all_or_nothing(postgres_url: str) -> None:
    store = TranscriptStore(postgres_url)
    files = DatabaseAttachments(store)
    try:
        async def endless() -> AsyncIterator[bytes]:
            while True:
                yield b"x" * 100_000

        with pytest.raises(AttachmentTooLarge):
            await files.save_stream("chat1", "a.txt", "text/plain", endless(), max_bytes=1_000_000)
        kept = await files.save("chat1", "../../etc/passwd\x00", "text/plain", b"fine")
        assert kept.filename == "passwd" and (await files.read(kept.id)) == (kept, b"fine")
        assert await files.open("chat1.nothere") is None
        assert await files.open("chat1/../x") is None and await files.open("") is None
    finally:
        await store.close()
    assert await rows(postgres_url, "attachments") == 1
    assert await rows(postgres_url, "attachment_chunks") == 1
