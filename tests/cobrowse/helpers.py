"""A customer's site (another origin than the bridge) with the widget and a form, and a chat a CSR has taken."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import uvicorn
from playwright.async_api import Browser, Page, expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from bridge.commands.context import CommandContext
from bridge.commands.replies import Reply
from bridge.domain.agent import Presence
from bridge.domain.events import EventKind
from tests.widget.conftest import HOST_PORT, Served
from tests.widget.test_browser import start_chat, widget

REPO = Path(__file__).resolve().parents[2]
RRWEB_DIR = REPO / "web" / "node_modules" / "rrweb" / "dist"
SECRET = "hunter2-Pa55word!"

FORM_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Checkout</title></head>
<body><h1 id="title">Checkout</h1>
<form><label>Name <input id="name" name="name"></label>
<label>Password <input id="password" type="password" name="password"></label>
<p class="csr-private" id="card">Card 4111 1111 1111 1111</p>
<p id="live">nothing yet</p>
<a id="next" href="/second">Next page</a></form>
<script src="BRIDGE/widget.js" async></script></body></html>"""

SECOND_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Second</title></head>
<body><h1 id="title">Second page</h1><p id="live">on the second page</p>
<script src="BRIDGE/widget.js" async></script></body></html>"""


def cobrowse_config(**limits: Any) -> dict[str, Any]:
    return {"cobrowse": {"enabled": True, "rrweb_dir": str(RRWEB_DIR), "limits": limits},
            "knowledge": {"push_allowed_domains": ["localhost"]}}


@contextlib.asynccontextmanager
async def shop(bridge_url: str) -> AsyncIterator[str]:
    async def first(_: Request) -> HTMLResponse:
        return HTMLResponse(FORM_PAGE.replace("BRIDGE", bridge_url))

    async def second(_: Request) -> HTMLResponse:
        return HTMLResponse(SECOND_PAGE.replace("BRIDGE", bridge_url))

    app = Starlette(routes=[Route("/", first), Route("/second", second)])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=HOST_PORT, log_config=None, lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "the shop did not start"
        await asyncio.sleep(0.02)
    try:
        yield f"http://localhost:{HOST_PORT}/"
    finally:
        server.should_exit = True
        await task


async def chat_with_alice(served: Served, page: Page, url: str) -> str:
    """The customer starts a chat on the shop's page; Alice takes it."""
    app = served.app
    alice = app.config.agent("alice")
    assert alice is not None
    await app.router.set_presence(alice, Presence.AVAILABLE)
    await start_chat(page, url)
    await widget(page).get_by_role("button", name="Talk to a person").click()
    chat_id = next(iter(await app.chats.open_ids()))
    offer = None
    while offer is None:
        offer = next((e for e in await app.stream.read_all(chat_id) if e.kind == EventKind.OFFERED), None)
        await asyncio.sleep(0.05)
    await app.router.accept(offer.data["offer_id"], alice, "slack")
    await expect(widget(page).locator(".sub")).to_have_text("Chatting with Alice")
    return chat_id


async def run(served: Served, agent_id: str, text: str, chat_id: str) -> Reply:
    agent = served.app.config.agent(agent_id)
    ctx = CommandContext(platform="slack", user_id=agent.slack_user_id if agent else "U?", agent=agent,
                         chat_id=chat_id)
    return await served.app.commands.run(text, ctx)


async def staff_texts(served: Served, chat_id: str) -> list[str]:
    return [e.text for e in await served.app.stream.read_all(chat_id) if e.data.get("cobrowse")]


async def thread_says(served: Served, chat_id: str, part: str) -> list[str]:
    """The chat's co-browse texts once one of them contains `part` (written just after both sides are told)."""
    for _ in range(200):
        texts = await staff_texts(served, chat_id)
        if any(part in t for t in texts):
            return texts
        await asyncio.sleep(0.05)
    raise AssertionError(f"the thread never said {part!r}: {await staff_texts(served, chat_id)}")


async def viewer_link(served: Served, chat_id: str) -> str:
    for _ in range(200):
        for text in await staff_texts(served, chat_id):
            if "/cobrowse/open/" in text:
                return "http" + text.rsplit(": http", 1)[1]
        await asyncio.sleep(0.05)
    raise AssertionError("no viewer link in the thread")


async def new_browser_page(browser: Browser) -> Page:
    context = await browser.new_context(viewport={"width": 1100, "height": 800})
    return await context.new_page()


def replayed(viewer: Page):  # noqa: ANN201 (a Playwright frame locator)
    return viewer.frame_locator("#stage iframe")
