"""The widget in the customer's language, in Debian's Chromium: the browser's language (Playwright's context
locale sets navigator.languages and Accept-Language) or the page's data-lang picks the catalog; notices worded
later by the server (the place in line with its plural) follow the language the chat started in; Arabic reads
right to left."""

import asyncio
import contextlib
import html
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import pytest
import uvicorn
from playwright.async_api import Browser, Page, async_playwright, expect
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from bridge.domain.agent import Presence
from tests.widget.conftest import HOST_PORT, Served, running_bridge
from tests.widget.test_browser import ARGS, CHROMIUM

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head>
<body><h1>Shop</h1><script src="BRIDGE/widget.js" LANG async></script></body></html>"""


@contextlib.asynccontextmanager
async def host(bridge_url: str) -> AsyncIterator[str]:
    """The embedding site; `/?lang=X` puts data-lang="X" on the script tag."""
    async def page(request: Request) -> HTMLResponse:
        lang = request.query_params.get("lang")
        attr = f'data-lang="{html.escape(lang)}"' if lang else ""
        return HTMLResponse(PAGE.replace("BRIDGE", bridge_url).replace("LANG", attr))

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
async def site(tmp_path: Path, redis: Redis, redis_url: str) -> AsyncIterator[tuple[Served, str]]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with running_bridge(tmp_path, redis, redis_url) as served, host(served.url) as url:
        app = served.app
        alice = app.config.agent("alice")
        assert alice is not None
        await app.router.set_presence(alice, Presence.AWAY)  # signed in, taking no chats: customers wait in line
        # Answers came every 70 s lately, so the line tells an estimate: 1 min for the first, 2 for the second...
        await app.redis.hset(app.keys.queue("general"), mapping={"answer_interval": 70, "last_answer": time.time()})
        yield served, url


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        await chromium.close()


async def opened(browser: Browser, url: str, locale: str) -> Page:
    context = await browser.new_context(locale=locale, viewport={"width": 900, "height": 720})
    page = await context.new_page()
    await page.goto(url)
    return page


async def start(page: Page, launcher: str, name_label: str, start_label: str) -> None:
    w = page.locator("csr-bridge-widget")
    await w.get_by_role("button", name=launcher).click()
    await w.get_by_label(name_label).fill("Ann")
    await w.get_by_role("button", name=start_label).click()


async def test_german_and_french_browsers_read_their_language(site: tuple[Served, str], browser: Browser) -> None:
    served, url = site
    page = await opened(browser, url, "de-DE")
    w = page.locator("csr-bridge-widget")
    await start(page, "Chat öffnen: Chatten Sie mit uns", "Ihr Name", "Chat beginnen")
    await expect(w.locator(".note").first).to_have_text("Hallo! Wie können wir Ihnen heute helfen?")
    await expect(w.get_by_label("Nachricht", exact=True)).to_have_attribute("placeholder", "Ihre Nachricht …")
    await w.get_by_role("button", name="Mit einem Menschen sprechen").click()
    queued = "Sie sind in der Warteschlange für eine Person aus unserem Team."
    await expect(w.locator(".note").last).to_have_text(queued)
    await expect(w.locator(".sub")).to_have_text("Sie sind Nummer 1 in der Warteschlange · etwa 1 Minute")
    await page.screenshot(path=SHOTS / "widget-lang-de.png")

    french = await opened(browser, url, "fr-FR")
    f = french.locator("csr-bridge-widget")
    await start(french, "Ouvrir le chat : Discutez avec nous", "Votre nom", "Démarrer le chat")
    await f.get_by_role("button", name="Parler à une personne").click()
    await expect(f.locator(".sub")).to_have_text("Vous êtes numéro 2 dans la file · environ 2 minutes")
    await french.screenshot(path=SHOTS / "widget-lang-fr.png")

    chats = await served.app.chats.get_many(sorted(await served.app.chats.open_ids()))
    assert sorted(c.customer.language for c in chats) == ["de", "fr"]

    await page.reload()  # the chat keeps its language; its events are worded in it again
    await expect(w.locator(".sub")).to_have_text("Sie sind Nummer 1 in der Warteschlange · etwa 1 Minute")
    await w.get_by_role("button", name="Chat beenden").click()
    await expect(w.locator(".note").last).to_have_text("Der Chat ist beendet.")
    await expect(w.get_by_role("button", name="Neuen Chat beginnen")).to_be_visible()


async def test_arabic_reads_right_to_left_and_data_lang_wins(site: tuple[Served, str], browser: Browser) -> None:
    _, url = site
    page = await opened(browser, url, "ar-EG")
    w = page.locator("csr-bridge-widget")
    await w.get_by_role("button", name="فتح المحادثة: تحدث معنا").click()
    await expect(w.get_by_label("البريد الإلكتروني (اختياري)")).to_be_visible()
    await page.screenshot(path=SHOTS / "widget-lang-ar-form.png")
    await w.get_by_label("اسمك").fill("Ann")
    await w.get_by_role("button", name="بدء المحادثة").click()
    panel = w.locator(".panel")
    await expect(panel).to_have_attribute("dir", "rtl")
    await expect(panel).to_have_attribute("lang", "ar")
    box = w.get_by_label("الرسالة", exact=True)
    await box.fill("مرحبا")
    await box.press("Enter")
    mine = w.locator(".msg.me").first
    await expect(mine).to_be_visible()
    panel_box, mine_box = await panel.bounding_box(), await mine.bounding_box()
    assert panel_box and mine_box and mine_box["x"] - panel_box["x"] < 40, "the customer's own words sit on the left"
    await w.get_by_role("button", name="التحدث إلى شخص").click()
    await expect(w.locator(".sub")).to_have_text("ترتيبك 1 في قائمة الانتظار · نحو دقيقة واحدة")
    await page.screenshot(path=SHOTS / "widget-lang-ar.png")

    spanish = await opened(browser, url + "?lang=es", "de-DE")  # the page's data-lang before the browser's
    s = spanish.locator("csr-bridge-widget")
    await s.get_by_role("button", name="Abrir el chat: Chatea con nosotros").click()
    await expect(s.get_by_role("button", name="Iniciar el chat")).to_be_visible()
    await expect(s.locator(".panel")).to_have_attribute("dir", "ltr")

    hostile = await opened(browser, url + "?lang=" + quote("de\x00<b>" + "x" * 5000), "fr-FR")  # falls back cleanly
    h = hostile.locator("csr-bridge-widget")
    await h.get_by_role("button", name="Ouvrir le chat : Discutez avec nous").click()
    await expect(h.get_by_role("button", name="Démarrer le chat")).to_be_visible()
