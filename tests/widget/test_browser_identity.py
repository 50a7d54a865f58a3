"""In Chromium: a host page that signs its customer (data-user-* and data-attr-plan) gets that customer served
before an earlier unsigned chat, by the [[routing.priorities]] rule on the verified plan; a page with a forged
hash gets a clear refusal and nothing is stored; an SPA's history changes reach the chat's visit; and
CSRBridge.identify() works for single-page apps. Screenshots of the states touched go to test-artifacts/."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.async_api import Browser, Page, expect
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from bridge.domain.agent import Presence
from bridge.domain.chat import Customer
from bridge.domain.events import EventKind
from bridge.identity import user_hash
from tests.widget.conftest import HOST_PORT, Served, running_bridge
from tests.widget.test_browser import ARTIFACTS, browser, widget

__all__ = ["browser"]
pytestmark = pytest.mark.browser
SECRET = "host-site-identity-secret-0123456789"

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Account</title></head>
<body><h1>Your account</h1><a id="next" href="#" onclick="history.pushState({}, '', '/app/billing');
document.title = 'Billing'; return false;">Billing</a>
<script src="BRIDGE/widget.js" async TAGS></script></body></html>"""


def tags(user_id: str, signed_with: str) -> str:
    return (f'data-user-id="{user_id}" data-user-name="Erin Enterprise" data-user-email="erin@big.example" '
            f'data-user-hash="{user_hash(signed_with, user_id)}" data-attr-plan="enterprise"')


@contextlib.asynccontextmanager
async def host_site(bridge_url: str) -> AsyncIterator[str]:
    async def page(request: Request) -> HTMLResponse:
        kind = request.path_params["kind"]
        attrs = {"signed": tags("u-1001", SECRET), "forged": tags("u-1001", "not-the-secret-0123456789"),
                 "spa": ""}[kind]
        return HTMLResponse(PAGE.replace("BRIDGE", bridge_url).replace("TAGS", attrs))

    app = Starlette(routes=[Route("/{kind}", page), Route("/app/{rest:path}", page)])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=HOST_PORT, log_config=None, lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "the host site did not start"
        await asyncio.sleep(0.02)
    try:
        yield f"http://localhost:{HOST_PORT}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def site(tmp_path: Path, redis: Redis, redis_url: str) -> AsyncIterator[tuple[Served, str]]:
    overrides: dict[str, Any] = {
        "widget": {"identity_secret": SECRET},
        "routing": {"default_capacity": 1, "priorities": [{"attribute": "plan", "value": "enterprise",
                                                           "priority": 7}]}}
    async with running_bridge(tmp_path, redis, redis_url, **overrides) as served, host_site(served.url) as url:
        yield served, url


async def open_form(page: Page, url: str) -> None:
    await page.goto(url)
    await widget(page).get_by_role("button", name="Open chat: Chat with us").click()


async def test_a_signed_enterprise_customer_is_served_before_an_earlier_chat(
        site: tuple[Served, str], browser: Browser) -> None:
    served, url = site
    app = served.app
    alice = app.agent("alice")
    await app.router.set_presence(alice, Presence.AWAY)  # signed in, taking nothing yet: chats wait
    waiting = await app.service.start_chat(Customer(name="Early Bird", claimed={"plan": "enterprise"}),
                                           "question", "general", 0, "I was here first")
    await app.service.escalate(waiting.id)

    page = await browser.new_page(viewport={"width": 420, "height": 760})
    await open_form(page, f"{url}/signed")
    w = widget(page)
    await expect(w.get_by_label("Your name")).to_have_value("Erin Enterprise")
    await expect(w.get_by_label("Email (optional)")).to_have_value("erin@big.example")
    await page.screenshot(path=ARTIFACTS / "widget-identified-form.png")
    await w.get_by_role("button", name="Start chat").click()
    await w.get_by_role("button", name="Talk to a person").click()
    await expect(w.locator(".sub")).to_have_text("You're number 1 in line")
    await page.screenshot(path=ARTIFACTS / "widget-identified-waiting.png")
    signed_id = next(i for i in await app.chats.open_ids() if i != waiting.id)
    signed = await app.chats.get(signed_id)
    assert signed is not None and signed.customer.verified and signed.customer.attributes == {"plan": "enterprise"}
    assert signed.priority == 7

    await app.router.set_presence(alice, Presence.AVAILABLE)
    for _ in range(200):
        if [e for e in await app.stream.read_all(signed_id) if e.kind == EventKind.OFFERED]:
            break
        await asyncio.sleep(0.05)
    assert [e for e in await app.stream.read_all(signed_id) if e.kind == EventKind.OFFERED], "served first"
    assert not [e for e in await app.stream.read_all(waiting.id) if e.kind == EventKind.OFFERED], \
        "the earlier chat, whose plan was only claimed, waits"

    await page.evaluate("document.getElementById('next').click()")  # an SPA route change (the panel covers it)
    for _ in range(200):
        fresh = await app.chats.get(signed_id)
        if fresh is not None and fresh.visit.page_url.endswith("/app/billing"):
            break
        await asyncio.sleep(0.05)
    fresh = await app.chats.get(signed_id)
    assert fresh is not None and fresh.visit.page_url == f"{url}/app/billing" and fresh.visit.page_title == "Billing"
    assert "Chrome" in fresh.visit.browser and fresh.visit.os == "Linux"
    assert fresh.visit.time_zone and fresh.visit.language


async def test_a_forged_hash_is_refused_in_the_widget_and_nothing_stored(
        site: tuple[Served, str], browser: Browser) -> None:
    served, url = site
    page = await browser.new_page(viewport={"width": 420, "height": 760})
    await open_form(page, f"{url}/forged")
    w = widget(page)
    await w.get_by_role("button", name="Start chat").click()
    await expect(w.locator(".error")).to_have_text("user_hash does not match user_id; the site's backend must sign "
                                                   "the user id.")
    await page.screenshot(path=ARTIFACTS / "widget-identity-refused.png")
    assert await served.app.chats.open_ids() == set()


async def test_identify_from_a_single_page_app(site: tuple[Served, str], browser: Browser) -> None:
    served, url = site
    page = await browser.new_page(viewport={"width": 420, "height": 760})
    await open_form(page, f"{url}/spa")
    await page.evaluate("""h => CSRBridge.identify({userId: 'u-2002', name: 'Sam Spa', email: 'sam@spa.example',
                           userHash: h, attributes: {plan: 'enterprise'}})""", user_hash(SECRET, "u-2002"))
    w = widget(page)
    await expect(w.get_by_label("Your name")).to_have_value("Sam Spa")
    await w.get_by_role("button", name="Start chat").click()
    await expect(w.get_by_role("button", name="Talk to a person")).to_be_visible()
    [chat_id] = await served.app.chats.open_ids()
    chat = await served.app.chats.get(chat_id)
    assert chat is not None and chat.customer.verified and chat.customer.user_id == "u-2002"
