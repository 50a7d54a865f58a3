"""End to end in Debian's Chromium (Playwright, never a downloaded browser): the widget on a host page.

The host page lives on another origin than the bridge and carries hostile CSS, as a real site might.
"""

import asyncio
import contextlib
import struct
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import Browser, Page, async_playwright, expect
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from bridge.domain.agent import Presence
from bridge.domain.events import EventKind, Origin
from tests.widget.conftest import HOST_PORT, Served, running_bridge
from tests.widget.test_api_chats import ARTICLE

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SLACK = Origin(platform="slack", conversation="C1", thread="1.0")

HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Shop</title>
<style>* { color: red !important; font-size: 40px !important; } button { display: none !important; }
body { background: #fffbe6; font-family: serif; }</style></head>
<body><h1>Some shop</h1><p>Products, prices and a cart.</p>
<script src="BRIDGE/widget.js" async></script></body></html>"""


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@contextlib.asynccontextmanager
async def host_site(bridge_url: str) -> AsyncIterator[str]:
    """A second site (another origin) whose page embeds the widget with one script tag."""
    async def page(_: Request) -> HTMLResponse:
        return HTMLResponse(HOST_PAGE.replace("BRIDGE", bridge_url))

    server = uvicorn.Server(uvicorn.Config(Starlette(routes=[Route("/", page)]), host="127.0.0.1", port=HOST_PORT,
                                           log_config=None, lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "the host site did not start"
        await asyncio.sleep(0.02)
    try:
        yield f"http://localhost:{HOST_PORT}/"
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run scripts/setup.sh test (apt-get install chromium)")
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        await chromium.close()


@pytest.fixture
async def site(tmp_path: Path, redis: Redis, redis_url: str) -> AsyncIterator[tuple[Served, str]]:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "cancel.md").write_text(ARTICLE)
    async with running_bridge(tmp_path, redis, redis_url) as served, host_site(served.url) as url:
        await served.app.knowledge.reindex()
        yield served, url


def widget(page: Page):  # noqa: ANN201 (a Playwright locator)
    return page.locator("csr-bridge-widget")


async def start_chat(page: Page, url: str) -> None:
    await page.goto(url)
    w = widget(page)
    await w.get_by_role("button", name="Open chat: Chat with us").click()
    await w.get_by_label("Your name").fill("Ann")
    await w.get_by_label("Email (optional)").fill("ann@example.com")
    await w.get_by_label("Topic").select_option("question")
    await w.get_by_role("button", name="Start chat").click()
    await expect(w.get_by_role("button", name="Talk to a person")).to_be_visible()


async def send(page: Page, text: str) -> None:
    box = widget(page).get_by_label("Message", exact=True)
    await box.fill(text)
    await box.press("Enter")


async def message_texts(page: Page) -> list[str]:
    return await widget(page).locator(".msg:not(.pending) .text").all_text_contents()


async def test_a_whole_chat_in_the_browser(site: tuple[Served, str], browser: Browser) -> None:
    served, url = site
    app = served.app
    alice = app.config.agent("alice")
    assert alice is not None
    await app.router.set_presence(alice, Presence.AVAILABLE)
    page = await browser.new_page(viewport={"width": 1100, "height": 800})
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    await start_chat(page, url)
    w = widget(page)
    await expect(w.locator(".launcher")).to_have_attribute("aria-expanded", "true")

    await send(page, "How do I cancel my subscription? 🙂")
    await expect(w.locator(".card h3")).to_have_text(["Cancel or pause your subscription"])
    assert sockets and not [u for u in sockets if "token" in u], "the token goes in the subprotocol, not the URL"
    await w.get_by_role("button", name="Talk to a person").click()
    await expect(w.locator(".sub")).to_have_text("You're number 1 in line")
    chat_id = next(iter(await app.chats.open_ids()))

    offer = next(e for e in await app.stream.read_all(chat_id) if e.kind == EventKind.OFFERED)
    await app.router.accept(offer.data["offer_id"], alice, "slack")
    await expect(w.locator(".sub")).to_have_text("Chatting with Alice")
    await served.widget.ctx.typing.set(chat_id, "agent", "Alice", True)
    await expect(w.locator(".typing")).to_have_text("Alice is typing…")
    await app.service.agent_message(chat_id, alice, "Hi Ann, I'm Alice 👋",
                                    SLACK.model_copy(update={"event_id": "1.1"}))
    await expect(w.locator(".msg.agent .text")).to_have_text(["Hi Ann, I'm Alice 👋"])
    await expect(w.locator(".typing")).to_have_text("")
    await app.service.agent_message(chat_id, alice, "Billing FAQ", SLACK.model_copy(update={"event_id": "1.2"}),
                                    kind=EventKind.CARD, data={"title": "Billing FAQ", "summary": "All about invoices.",
                                                               "url": "https://example.com/billing"})
    pushed = w.locator(".card", has_text="Billing FAQ")
    await expect(pushed.get_by_role("link", name="Open Billing FAQ")).to_have_attribute("href", "https://example.com/billing")

    await w.locator("input[type=file]").set_input_files(
        {"name": "shot.png", "mimeType": "image/png", "buffer": png(40, 30, (200, 30, 30))})
    image = w.locator(".msg.me img")
    await expect(image).to_have_attribute("alt", "shot.png")
    assert await image.evaluate("img => img.decode().then(() => img.naturalWidth)") == 40, "loaded with the token"
    hostile = "<b>bold</b> <img src=x onerror=alert(1)> @room <!channel>"
    await send(page, hostile)
    await expect(w.locator(".msg.me .text").last).to_have_text(hostile)
    assert await w.locator(".msg b, .msg img[src=x]").count() == 0

    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / "widget-open.png")
    before = await message_texts(page)
    cards = await w.locator(".card h3").all_text_contents()
    await page.reload()
    await expect(w.locator(".sub")).to_have_text("Chatting with Alice")
    await expect(w.locator(".msg:not(.pending) .text")).to_have_text(before)
    assert await w.locator(".card h3").all_text_contents() == cards
    await expect(w.locator(".msg.me img")).to_have_count(1)

    stored = [e for e in await app.stream.read_all(chat_id) if e.kind == EventKind.MESSAGE]
    assert [a.filename for e in stored for a in e.attachments] == ["shot.png"]
    assert [e.text for e in stored if e.author.kind == "customer" and e.text] == [
        "How do I cancel my subscription? 🙂", "<b>bold</b> <img src=x onerror=alert(1)> @room <!channel>"]

    bob = app.config.agent("bob")
    assert bob is not None
    await app.router.set_presence(bob, Presence.AVAILABLE)
    await app.router.transfer_to_agent(chat_id, "alice", bob, "wants a refund", "alice")
    offer = [e for e in await app.stream.read_all(chat_id) if e.kind == EventKind.OFFERED][-1]
    await app.router.accept(offer.data["offer_id"], bob, "slack")
    await expect(w.locator(".note", has_text="passed to")).to_have_text("Your chat was passed to Bob.")
    await expect(w.locator(".sub")).to_have_text("Chatting with Bob")
    assert "wants a refund" not in await w.locator(".log").inner_text()

    await w.get_by_role("button", name="End chat").click()
    await expect(w.locator(".note").last).to_have_text("The chat has ended.")
    await w.get_by_label("4 of 5").check(force=True)
    await w.get_by_label("Comment (optional)").fill("Quick and kind")
    await page.screenshot(path=ARTIFACTS / "widget-ended.png")
    await w.get_by_role("button", name="Send rating").click()
    await expect(w.locator(".note").last).to_have_text("Thanks for rating this chat.")
    href = await w.get_by_role("link", name="TXT").get_attribute("href")
    assert href is not None and f"/api/v1/chats/{chat_id}/transcript?format=txt&token=" in href
    rating = [e for e in await app.stream.read_all(chat_id) if e.kind == EventKind.RATING]
    assert [e.data for e in rating] == [{"score": 4, "comment": "Quick and kind"}]
    await page.close()


async def test_a_message_sent_offline_goes_out_once_when_back(site: tuple[Served, str], browser: Browser) -> None:
    served, url = site
    context = await browser.new_context()
    page = await context.new_page()
    await start_chat(page, url)
    w = widget(page)
    await send(page, "while online")
    await expect(w.locator(".msg.me:not(.pending) .text")).to_have_text(["while online"])
    await context.set_offline(True)
    await expect(w.locator(".panel.offline")).to_have_count(1)
    await send(page, "sent while offline")
    await expect(w.locator(".msg.pending .text")).to_have_text(["sent while offline"])
    pending = await page.evaluate("JSON.stringify(Object.values(sessionStorage).map(JSON.parse)[0].pending)")
    assert "sent while offline" in pending, "kept in sessionStorage until the server has it"
    await context.set_offline(False)
    await expect(w.locator(".msg.me:not(.pending) .text")).to_have_text(["while online", "sent while offline"])
    await expect(w.locator(".msg.pending")).to_have_count(0)
    chat_id = next(iter(await served.app.chats.open_ids()))
    texts = [e.text for e in await served.app.stream.read_all(chat_id) if e.kind == EventKind.MESSAGE]
    assert texts == ["while online", "sent while offline"]
    await context.close()


async def test_keyboard_screen_reader_labels_and_a_phone_screen(site: tuple[Served, str], browser: Browser) -> None:
    _, url = site
    page = await browser.new_page(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    await page.goto(url)
    w = widget(page)
    launcher = w.get_by_role("button", name="Open chat: Chat with us")
    await expect(launcher).to_be_visible()
    font = await launcher.evaluate("b => getComputedStyle(b).fontSize")
    assert font != "40px", "the page's CSS does not reach into the widget"
    await page.keyboard.press("Tab")
    await expect(launcher).to_be_focused()
    await page.keyboard.press("Enter")
    dialog = w.get_by_role("dialog", name="Chat with us")
    await expect(launcher).to_be_hidden()  # the panel fills the phone's screen; its header has the close button
    await expect(w.get_by_label("Your name")).to_be_focused()
    box = await dialog.bounding_box()
    assert box is not None and (box["width"], box["height"]) == (375, 667), "full screen on a phone"
    await page.keyboard.type("Ann")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await expect(w.get_by_role("log", name="Messages")).to_be_visible()
    await expect(w.get_by_label("Message", exact=True)).to_be_focused()
    await expect(w.get_by_label("Attach a file")).to_be_attached()
    await page.keyboard.type("Hello from a phone")
    await page.keyboard.press("Enter")
    await expect(w.locator(".msg.me:not(.pending) .text")).to_have_text(["Hello from a phone"])
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / "widget-phone.png")
    await page.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()
    await expect(launcher).to_be_focused()
    await page.close()


async def test_the_demo_page_at_the_root_runs_the_widget(site: tuple[Served, str], browser: Browser) -> None:
    served, _ = site
    page = await browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    await start_chat(page, served.url + "/")
    await send(page, "Hello from the demo page")
    await expect(widget(page).locator(".msg.me:not(.pending) .text")).to_have_text(["Hello from the demo page"])
    await expect(page.get_by_role("heading", name="CSR Bridge is running")).to_be_visible()
    assert served.url + "/widget.js" in await page.locator("pre code").inner_text()
    assert problems == [], "no CSP or script errors"
    await page.close()
