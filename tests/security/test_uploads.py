"""Files over the limit or of a refused type are turned away before anything is stored: nothing lands under
the attachments folder and the chat gets no attachment, from the widget and from a CSR's Slack reply."""

from collections.abc import AsyncIterator
from pathlib import Path

from redis.asyncio import Redis

from testkit.fake_slack import FakeSlack
from tests.slack.bridge import InProcessBridge, slack_overrides
from tests.slack.conftest import fake_slack  # noqa: F401 - fixture
from tests.slack.helpers import accepted_chat
from tests.widget.conftest import auth, running_bridge

LIMITS = {"uploads": {"max_bytes": 1000, "allowed_types": ["image/png", "text/plain"]}}
PNG = b"\x89PNG\r\n\x1a\n"


def _stored(data_dir: Path) -> list[Path]:
    root = data_dir / "attachments"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def test_widget_uploads_over_the_limit_or_of_a_refused_type_are_not_stored(tmp_path: Path, redis: Redis,
                                                                                 redis_url: str) -> None:
    async with running_bridge(tmp_path, redis, redis_url, widget=LIMITS) as served:
        async with served.client() as c:
            chat = await served.start_chat(c)
            url, h = f"/api/v1/chats/{chat['chat_id']}/attachments", auth(chat)

            async def chunked() -> AsyncIterator[bytes]:
                yield b'--zz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
                yield b"\r\nhi\r\n--zz--\r\n"

            answers = {
                "over the limit": await c.post(url, headers=h,
                                               files={"file": ("a.png", PNG + b"\0" * 1000, "image/png")}),
                "body far over": await c.post(url, headers=h,
                                              files={"file": ("a.txt", b"x" * 200_000, "text/plain")}),
                "no length": await c.post(url, content=chunked(), headers={
                    **h, "Content-Type": "multipart/form-data; boundary=zz"}),
                "refused type": await c.post(url, headers=h,
                                             files={"file": ("a.exe", b"MZ\x90\x00", "application/x-msdownload")}),
                "svg": await c.post(url, headers=h,
                                    files={"file": ("a.svg", b"<svg onload=alert(1)>", "image/svg+xml")}),
                "html as text": await c.post(url, headers=h, files={"file": ("a.html", b"<script>", "text/html")}),
                "page as png": await c.post(url, headers=h, files={"file": ("a.png", b"<html>", "image/png")}),
                "two files": await c.post(url, headers=h, files=[("file", ("a.txt", b"a", "text/plain")),
                                                                 ("file", ("b.txt", b"b", "text/plain"))]),
            }
            events = (await c.get(f"/api/v1/chats/{chat['chat_id']}/events", headers=h)).json()["events"]
    statuses = {name: resp.status_code for name, resp in answers.items()}
    assert statuses == {"over the limit": 413, "body far over": 413, "no length": 411, "refused type": 415,
                        "svg": 415, "html as text": 415, "page as png": 415, "two files": 400}, statuses
    assert all(resp.json()["error"] for resp in answers.values())
    assert _stored(served.app.config.data_path) == []
    assert not any(e["attachments"] for e in events)


async def test_a_csrs_slack_file_over_the_limit_or_of_a_refused_type_is_not_stored(
        tmp_path: Path, redis: Redis, redis_url: str, fake_slack: FakeSlack) -> None:  # noqa: F811
    overrides = {**slack_overrides(fake_slack), "widget": LIMITS}
    bridge = await InProcessBridge(tmp_path, redis, redis_url, fake_slack, overrides).start()
    try:
        chat, channel, root = await accepted_chat(bridge)
        big = fake_slack.user_file(b"x" * 5000, "big.txt", "text/plain")
        understated = {**fake_slack.user_file(b"y" * 5000, "small.txt", "text/plain"), "size": 10}
        exe = fake_slack.user_file(b"MZ\x90\x00", "tool.exe", "application/x-msdownload")
        elsewhere = {**fake_slack.user_file(b"hi", "a.txt", "text/plain"),
                     "url_private_download": "https://files.example.com/a.txt", "url_private": ""}
        for file in (big, understated, exe, elsewhere):
            await bridge.sender.thread_reply("UALICE", channel, root, "", files=[file])
        await bridge.settle()
        events = await bridge.app.stream.read_all(chat.id)
    finally:
        await bridge.stop()
    assert _stored(bridge.app.config.data_path) == []
    assert not any(e.attachments for e in events)
    told = [m["text"] for m in fake_slack.ephemerals if m["user"] == "UALICE"]
    assert len(told) == 4 and all("not sent" in t or "limit" in t for t in told), told
