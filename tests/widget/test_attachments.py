"""Attachments over real HTTP: limits checked before storing, downloads only with the chat's own token."""

from pathlib import Path

from redis.asyncio import Redis

from bridge.domain.events import EventKind
from bridge.service import CUSTOMER_ORIGIN
from tests.widget.conftest import Served, auth, running_bridge

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def stored_attachments(served: Served, chat_id: str) -> list[str]:
    return [a.filename for e in await served.app.stream.read_all(chat_id) for a in e.attachments]


async def test_upload_shows_in_the_chat_and_downloads_with_the_token(served: Served) -> None:
    async with served.client() as c:
        chat = await served.start_chat(c)
        url = f"/api/v1/chats/{chat['chat_id']}/attachments"
        up = await c.post(url, files={"file": ("screen shot.png", PNG, "image/png")},
                          data={"text": "this error", "client_msg_id": "f-1"}, headers=auth(chat))
        again = await c.post(url, files={"file": ("screen shot.png", PNG, "image/png")},
                             data={"client_msg_id": "f-1"}, headers=auth(chat))
        att = up.json()["event"]["attachments"][0]
        by_header = await c.get(att["url"], headers=auth(chat))
        by_query = await c.get(att["url"], params={"token": chat["token"]})
        anonymous = await c.get(att["url"])
    assert up.status_code == 201 and again.status_code == 200
    assert up.json()["event"]["text"] == "this error"
    assert att["filename"] == "screen shot.png" and att["size"] == len(PNG) and att["content_type"] == "image/png"
    assert by_header.content == PNG and by_query.content == PNG
    assert by_header.headers["content-type"] == "image/png"
    assert by_header.headers["content-disposition"].startswith("inline;")
    assert by_header.headers["x-content-type-options"] == "nosniff"
    assert anonymous.status_code == 401
    assert await stored_attachments(served, chat["chat_id"]) == ["screen shot.png"]


async def test_other_chats_files_stay_out_of_reach(served: Served) -> None:
    async with served.client() as c:
        ann = await served.start_chat(c)
        bob = await served.start_chat(c, name="Bob")
        up = await c.post(f"/api/v1/chats/{ann['chat_id']}/attachments",
                          files={"file": ("a.txt", b"private", "text/plain")}, headers=auth(ann))
        att_id = up.json()["event"]["attachments"][0]["id"]
        via_bob = await c.get(f"/api/v1/chats/{bob['chat_id']}/attachments/{att_id}", headers=auth(bob))
        bob_token_ann_path = await c.get(f"/api/v1/chats/{ann['chat_id']}/attachments/{att_id}", headers=auth(bob))
        traversal = await c.get(f"/api/v1/chats/{ann['chat_id']}/attachments/{ann['chat_id']}..%2F..%2Fconfig.toml",
                                headers=auth(ann))
        text = await c.get(f"/api/v1/chats/{ann['chat_id']}/attachments/{att_id}", headers=auth(ann))
    assert via_bob.status_code == 404 and bob_token_ann_path.status_code == 403
    assert traversal.status_code == 404
    assert text.content == b"private" and text.headers["content-disposition"].startswith("attachment;")


async def test_bad_uploads_are_refused_before_anything_is_stored(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    widget = {"uploads": {"max_bytes": 1000, "allowed_types": ["image/png", "text/plain"]}}
    async with running_bridge(tmp_path, redis, redis_url, widget=widget) as served:
        async with served.client() as c:
            chat = await served.start_chat(c)
            url, h = f"/api/v1/chats/{chat['chat_id']}/attachments", auth(chat)
            cases = {
                "big": await c.post(url, files={"file": ("big.png", PNG + b"\x00" * 1000, "image/png")}, headers=h),
                "type": await c.post(url, files={"file": ("x.pdf", b"%PDF-1.4", "application/pdf")}, headers=h),
                "fake": await c.post(url, files={"file": ("x.png", b"<html><script>", "image/png")}, headers=h),
                "empty": await c.post(url, files={"file": ("x.txt", b"", "text/plain")}, headers=h),
                "nofile": await c.post(url, data={"text": "hi"}, files={"other": ("x.txt", b"x", "text/plain")},
                                       headers=h),
                "json": await c.post(url, json={"file": "x"}, headers=h),
                "bad_id": await c.post(url, files={"file": ("x.txt", b"x", "text/plain")},
                                       data={"client_msg_id": "../x"}, headers=h),
                "garbled": await c.post(url, content=b"--zz\r\nnonsense", headers={
                    **h, "Content-Type": "multipart/form-data; boundary=zz"}),
            }
        folder = tmp_path / "data" / "attachments"
        saved = list(folder.glob("*/*")) if folder.exists() else []
        assert await stored_attachments(served, chat["chat_id"]) == []
    codes = {k: (r.status_code, r.json()["error"]) for k, r in cases.items()}
    assert codes == {
        "big": (413, "file_too_large"), "type": (415, "type_not_allowed"), "fake": (415, "content_mismatch"),
        "empty": (422, "empty_file"), "nofile": (422, "missing_file"), "json": (415, "unsupported_media_type"),
        "bad_id": (422, "invalid_body"), "garbled": codes["garbled"],
    }
    assert codes["garbled"][0] in (400, 422)
    assert saved == []


async def test_csr_files_reach_the_customer_as_message_attachments(served: Served) -> None:
    app = served.app
    sam = app.config.agent("sam")
    assert sam is not None
    async with served.client() as c:
        chat = await served.start_chat(c, message="send me the form")
        attachment = await app.attachments.save(chat["chat_id"], "form.pdf", "application/pdf", b"%PDF-1.4 form")
        await app.service.agent_message(chat["chat_id"], sam, "here you go", CUSTOMER_ORIGIN, attachments=[attachment])
        page = (await c.get(f"/api/v1/chats/{chat['chat_id']}/events", headers=auth(chat))).json()
        sent = page["events"][-1]
        download = await c.get(sent["attachments"][0]["url"], headers=auth(chat))
    assert sent["kind"] == EventKind.MESSAGE and sent["author"]["name"] == "Sam"
    assert download.content == b"%PDF-1.4 form"
