"""With `cobrowse.record` on, a session's recording outlives it for `retention_days`, and only a supervisor of
its queue replays it, through a one-time link; off (the default), nothing of the page is kept."""

import asyncio
import json
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect
from redis.asyncio import Redis
from websockets.asyncio.client import connect

from bridge.commands.replies import Text
from testkit.configs import merged
from tests.cobrowse.helpers import chat_with_alice, cobrowse_config, new_browser_page, run, shop, thread_says
from tests.cobrowse.test_hostile import META, active_chat, customer_socket
from tests.cobrowse.test_processes import batch
from tests.widget.conftest import Served, running_bridge
from tests.widget.test_browser import browser

__all__ = ["browser"]


async def record_a_session(served: Served) -> tuple[str, str]:
    chat, sid = await active_chat(served)
    async with customer_socket(served, chat) as tab:
        await tab.send(json.dumps({"events": [META]}))
        await tab.send(batch(1))
        while await served.app.redis.xlen(served.app.keys.cobrowse_dom(sid)) < 2:
            await asyncio.sleep(0.02)
        await served.app.cobrowse.stop(chat["chat_id"], "agent", by="alice")
        async for _ in tab:
            pass
    return chat["chat_id"], sid


async def test_a_kept_recording_replays_for_a_supervisor_only(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    overrides = merged(cobrowse_config(), {"cobrowse": {"record": True, "retention_days": 7}})
    async with running_bridge(tmp_path, redis, redis_url, **overrides) as served:
        chat_id, sid = await record_a_session(served)
        texts = await thread_says(served, chat_id, f"`csr recording {sid}`")
        assert any("kept for 7 days" in t for t in texts)
        ttl = await served.app.redis.ttl(served.app.keys.cobrowse_recording(sid))
        assert 6 * 86400 < ttl <= 7 * 86400
        refused = await run(served, "alice", f"csr recording {sid}", chat_id)
        assert isinstance(refused, Text) and refused.error, "CSRs don't replay recordings"
        missing = await run(served, "sam", "csr recording nope", chat_id)
        assert isinstance(missing, Text) and "No recording `nope`" in missing.text
        reply = await run(served, "sam", f"csr recording {sid}", chat_id)
        assert isinstance(reply, Text) and not reply.error, reply
        token = reply.text.rsplit("/cobrowse/open/", 1)[1]
        async with served.client() as client:
            opened = await client.get(f"/cobrowse/open/{token}")
            assert opened.status_code == 303 and opened.headers["location"] == f"/cobrowse/replay/{sid}"
            assert (await client.get(f"/cobrowse/replay/{sid}")).status_code == 200
            assert (await client.get(f"/cobrowse/view/{sid}")).status_code == 403, "a replay cookie is no live view"
            cookie = opened.cookies["csr_cobrowse"]
        async with connect(f"{served.ws_url}/cobrowse/replay/{sid}/ws", origin=served.url, proxy=None,  # type: ignore[arg-type]
                           additional_headers={"Cookie": f"csr_cobrowse={cookie}"}) as ws:
            frames = [json.loads(m) async for m in ws]
        assert [f["batch"]["events"][0]["type"] for f in frames[:-1]] == [4, 3]
        assert frames[-1] == {"type": "end", "reason": "recording_end"}


async def test_without_recording_nothing_is_kept(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    async with running_bridge(tmp_path, redis, redis_url, **cobrowse_config()) as served:
        chat_id, sid = await record_a_session(served)
        await thread_says(served, chat_id, "Nothing of the page was kept.")
        assert not await served.app.redis.exists(served.app.keys.cobrowse_recording(sid))
        reply = await run(served, "sam", f"csr recording {sid}", chat_id)
        assert isinstance(reply, Text) and "No recording" in reply.text


@pytest.mark.browser
async def test_a_recording_plays_in_the_browser(tmp_path: Path, redis: Redis, redis_url: str,
                                                browser: Browser) -> None:
    overrides = merged(cobrowse_config(), {"cobrowse": {"record": True}})
    async with running_bridge(tmp_path, redis, redis_url, **overrides) as served, shop(served.url) as url:
        customer = await new_browser_page(browser)
        chat_id = await chat_with_alice(served, customer, url)
        await run(served, "alice", "csr cobrowse", chat_id)
        await customer.locator("csr-bridge-cobrowse").get_by_role("button", name="Allow").click()
        await customer.evaluate("document.getElementById('live').textContent = 'recorded words'")
        sid = (await served.app.cobrowse.sessions.current(chat_id)).sid  # type: ignore[union-attr]
        while b"recorded words" not in str(await served.app.redis.xrange(
                served.app.keys.cobrowse_recording(sid))).encode():
            await asyncio.sleep(0.05)
        await run(served, "alice", f"csr cobrowse {chat_id} stop", chat_id)
        await thread_says(served, chat_id, f"`csr recording {sid}`")
        reply = await run(served, "sam", f"csr recording {sid}", chat_id)
        assert isinstance(reply, Text)
        viewer = await new_browser_page(browser)
        await viewer.goto(reply.text.rsplit(": ", 1)[1])
        await expect(viewer.locator("#status")).to_have_text("Recording")
        await expect(viewer.frame_locator("#stage iframe").locator("#live")).to_have_text("recorded words",
                                                                                         timeout=15000)
