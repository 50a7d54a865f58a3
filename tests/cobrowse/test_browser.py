"""Co-browse end to end in two Chromium pages: the customer's shop with the widget, and the CSR's viewer.

The relayed stream is read from Redis as the bridge stored it, so "the password never reaches the bridge"
is checked on the bytes the bridge received, not on what the viewer happens to draw.
"""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect
from redis.asyncio import Redis

from bridge.commands.replies import Text
from cobrowse.sessions import State
from tests.cobrowse.helpers import (
    SECRET,
    chat_with_alice,
    cobrowse_config,
    new_browser_page,
    replayed,
    run,
    shop,
    thread_says,
    viewer_link,
)
from tests.widget.conftest import Served, running_bridge
from tests.widget.test_browser import browser

__all__ = ["browser"]
pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
async def site(tmp_path: Path, redis: Redis, redis_url: str) -> AsyncIterator[tuple[Served, str]]:
    async with running_bridge(tmp_path, redis, redis_url, **cobrowse_config()) as served, shop(served.url) as url:
        yield served, url


async def relayed_bytes(served: Served, chat_id: str) -> bytes:
    """Everything the bridge holds of the session's stream right now."""
    session = await served.app.cobrowse.sessions.current(chat_id)
    assert session is not None
    rows = await served.app.redis.xrange(served.app.keys.cobrowse_dom(session.sid))
    return b"".join(str(f).encode() for _id, f in rows)


async def expire_links(served: Served) -> None:
    """What time does to every link not opened yet (their keys carry `link_minutes` as a TTL)."""
    async for key in served.app.redis.scan_iter(match=served.app.keys.cobrowse_link("*")):
        await served.app.redis.delete(key)


async def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SHOTS / f"h21-cobrowse-{name}.png")


async def ask_and_allow(served: Served, customer: Page, chat_id: str) -> str:
    reply = await run(served, "alice", "csr cobrowse", chat_id)
    assert isinstance(reply, Text) and "Asked Ann" in reply.text, reply
    layer = customer.locator("csr-bridge-cobrowse")
    await expect(layer.get_by_role("alertdialog")).to_contain_text("Alice would like to see this browser tab")
    await shot(customer, "consent")
    await layer.get_by_role("button", name="Allow").click()
    await expect(layer.get_by_role("status")).to_have_text("Alice can see this tab.Stop sharing")
    return await viewer_link(served, chat_id)


async def test_consent_live_view_privacy_navigation_and_stop(site: tuple[Served, str], browser: Browser) -> None:
    served, url = site
    customer = await new_browser_page(browser)
    chat_id = await chat_with_alice(served, customer, url)
    assert await customer.evaluate("typeof window.rrweb") == "undefined", "nothing is loaded before consent"
    link = await ask_and_allow(served, customer, chat_id)
    await shot(customer, "banner")

    viewer = await new_browser_page(browser)
    await viewer.goto(link)
    assert "/cobrowse/open/" not in viewer.url, "the token leaves the address bar"
    await expect(viewer.locator("#status")).to_have_text("Live")
    frame = replayed(viewer)
    await expect(frame.locator("#title")).to_have_text("Checkout")

    await customer.locator("#name").fill("Ann Example")
    await customer.locator("#password").fill(SECRET)
    await customer.evaluate("document.getElementById('live').textContent = 'typed 42'")
    await expect(frame.locator("#live")).to_have_text("typed 42")
    assert await frame.locator("#name").input_value() != "Ann Example", "input values are masked by default"
    assert "hunter2" not in await frame.locator("#password").input_value()
    await expect(frame.locator("#card")).to_have_count(0)  # rrweb draws a blocked element as an empty box
    await shot(viewer, "viewer")
    stored = await relayed_bytes(served, chat_id)
    assert SECRET.encode() not in stored and b"hunter2" not in stored, "the password never reached the bridge"
    assert b"4111 1111" not in stored, "a site-marked element is never captured"  # "4111" alone is in timestamps
    assert b"Ann Example" not in stored

    await customer.evaluate("""() => { const p = document.getElementById('live');  // hostile markup on the page
        p.insertAdjacentHTML('afterend', '<img id="evil" src="x" onerror="window.top.__pwned = 1">'
          + '<a id="js" href="javascript:window.top.__pwned = 2">x</a>'); }""")
    await expect(frame.locator("#evil")).to_have_count(1)
    await frame.locator("#js").click(force=True)
    assert await viewer.evaluate("window.__pwned") is None, "nothing of the customer's page runs in the viewer"
    await viewer.evaluate("window.__csrViewerSocket.close()")  # a dropped connection: the view stays
    await customer.evaluate("document.getElementById('live').textContent = 'while away'")
    await expect(frame.locator("#live")).to_have_text("while away")
    await expect(viewer.locator("#status")).to_have_text("Live")

    await customer.locator("#next").click()  # a page change on the same site: the viewer follows
    await expect(frame.locator("#title")).to_have_text("Second page")
    await expect(customer.locator("csr-bridge-cobrowse").get_by_role("status")).to_contain_text("Alice can see")

    await customer.locator("csr-bridge-cobrowse").get_by_role("button", name="Stop sharing").click()
    await expect(viewer.locator("#status")).to_have_text("Co-browse has ended.")
    session = await served.app.cobrowse.sessions.current(chat_id)
    assert session is not None and session.state == State.ENDED and session.reason == "customer"
    texts = await thread_says(served, chat_id, "Co-browse ended after")
    assert await served.app.redis.xlen(served.app.keys.cobrowse_dom(session.sid)) <= 1, "nothing of the page kept"
    assert any(t.startswith("Co-browse started") for t in texts)
    assert "Co-browse: Alice opened the view." in texts
    assert any(t.startswith("Co-browse ended after") and "the customer stopped sharing" in t for t in texts)


async def test_decline_is_told_to_the_csr(site: tuple[Served, str], browser: Browser) -> None:
    served, url = site
    customer = await new_browser_page(browser)
    chat_id = await chat_with_alice(served, customer, url)
    await run(served, "alice", "csr cobrowse", chat_id)
    layer = customer.locator("csr-bridge-cobrowse")
    await layer.get_by_role("button", name="No thanks").click()
    await expect(layer.get_by_role("alertdialog")).to_have_count(0)
    await thread_says(served, chat_id, "Co-browse: the customer declined.")
    assert await customer.evaluate("typeof window.rrweb") == "undefined", "a decline loads no recorder"


async def test_a_link_works_once_and_is_bound_to_its_csr(site: tuple[Served, str], browser: Browser) -> None:
    served, url = site
    customer = await new_browser_page(browser)
    chat_id = await chat_with_alice(served, customer, url)
    link = await ask_and_allow(served, customer, chat_id)
    alice_view = await new_browser_page(browser)
    await alice_view.goto(link)
    await expect(alice_view.locator("#status")).to_have_text("Live")

    other = await new_browser_page(browser)  # another CSR's browser, with the same link from the thread
    refused = await other.goto(link)
    assert refused is not None and refused.status == 403
    view_url = alice_view.url
    refused = await other.goto(view_url)
    assert refused is not None and refused.status == 403, "the view page needs the bound browser's cookie"

    reply = await run(served, "bob", f"csr cobrowse {chat_id} link", chat_id)
    assert "not yours" in str(reply).lower() or "may not" in str(reply).lower() or "isn't yours" in str(reply), reply
    reply = await run(served, "sam", f"csr cobrowse {chat_id} link", chat_id)  # the supervisor who monitors
    assert isinstance(reply, Text) and "/cobrowse/open/" in reply.text
    sam_view = await new_browser_page(browser)
    await sam_view.goto(reply.text.rsplit(": ", 1)[1])
    await expect(sam_view.locator("#status")).to_have_text("Live")

    reply = await run(served, "alice", f"csr cobrowse {chat_id} link", chat_id)
    assert isinstance(reply, Text)
    fresh = reply.text.rsplit(": ", 1)[1]
    await expire_links(served)
    expired = await other.goto(fresh)
    assert expired is not None and expired.status == 403

    await run(served, "alice", f"csr cobrowse {chat_id} stop", chat_id)
    await expect(alice_view.locator("#status")).to_have_text("Co-browse has ended.")
    await expect(customer.locator("csr-bridge-cobrowse").get_by_role("status")).to_have_text(
        "Screen sharing has ended.")


async def test_a_flood_is_cut_off_with_a_message_to_both_sides(tmp_path: Path, redis: Redis, redis_url: str,
                                                               browser: Browser) -> None:
    overrides = cobrowse_config(frames_per_10s=40)
    async with running_bridge(tmp_path, redis, redis_url, **overrides) as served, shop(served.url) as url:
        customer = await new_browser_page(browser)
        chat_id = await chat_with_alice(served, customer, url)
        link = await ask_and_allow(served, customer, chat_id)
        viewer = await new_browser_page(browser)
        await viewer.goto(link)
        await expect(viewer.locator("#status")).to_have_text("Live")
        await customer.evaluate("""() => { const p = document.getElementById('live'); let n = 0;
            window.__loop = setInterval(() => { p.textContent = 'loop ' + n++; }, 5); }""")  # a runaway loop
        await expect(viewer.locator("#status")).to_have_text("Co-browse has ended.")
        await expect(customer.locator("csr-bridge-cobrowse").get_by_role("status")).to_have_text(
            "Screen sharing has ended.")
        await thread_says(served, chat_id, "cut off: the page changed faster than the limit allows")
        await customer.evaluate("clearInterval(window.__loop)")
