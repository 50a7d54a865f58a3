"""The link in a reply email reopens the chat in the widget (Debian's Chromium), where the customer reads the
answer and carries on in the same chat; forged, stale or ended ones get a clear answer and nothing opens."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, expect
from redis.asyncio import Redis

from bridge.domain.events import AuthorKind, EventKind
from followup.jobs import reply_links
from followup.links import BadReplyToken, ReplyLinks
from tests.followup.helpers import claimed_message, reply
from tests.hours.test_closed_widget import shot
from tests.routing.helpers import SLACK_ON
from tests.widget.conftest import HOST_ORIGIN, Served, running_bridge
from tests.widget.test_browser import browser, host_site, send, widget  # noqa: F401 - browser: fixture


@pytest.fixture
async def desk(tmp_path: Path, redis: Redis, redis_url: str) -> AsyncIterator[tuple[Served, str]]:
    async with running_bridge(tmp_path, redis, redis_url, slack=SLACK_ON) as served, host_site(served.url) as url:
        yield served, url


async def redeem(served: Served, code: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=served.url, headers={"Origin": HOST_ORIGIN}, trust_env=False) as client:
        return await client.post("/api/v1/reply-links", json={"code": code})


@pytest.mark.browser
async def test_the_reply_link_reopens_the_chat_and_the_customer_carries_on(
        desk: tuple[Served, str], browser: Browser) -> None:  # noqa: F811 - imported fixture
    served, url = desk
    app = served.app
    chat = await claimed_message(app)
    await reply(app, chat, "Sorry! A new parcel leaves today.")
    code = reply_links(app.config).link_token(chat.id)
    page = await browser.new_page(viewport={"width": 900, "height": 760})
    await page.goto(f"{url}#csr-reply={code}")
    w = widget(page)
    await expect(w.locator(".msg.agent .text")).to_have_text(["Sorry! A new parcel leaves today."])
    await expect(w.locator(".sub")).to_have_text("Chatting with Alice")
    assert "csr-reply" not in page.url, "the code leaves the address bar"
    await send(page, "Thank you!")
    await expect(w.locator(".msg.me:not(.pending) .text")).to_have_text(["My parcel never came.", "Thank you!"])
    await shot(w.locator(".panel"), "reopened-from-email")
    said = [e.text for e in await app.stream.read_all(chat.id)
            if e.kind == EventKind.MESSAGE and e.author.kind == AuthorKind.CUSTOMER]
    assert said == ["My parcel never came.", "Thank you!"], "the same chat and transcript"

    other = await browser.new_page()
    await other.goto(f"{url}#csr-reply={code[:-3]}xyz")
    await expect(widget(other).locator(".error")).to_have_text(
        "This link is not valid or has expired; start a new chat.")
    await expect(widget(other).get_by_role("button", name="Start chat")).to_be_visible()
    await page.close()
    await other.close()


async def test_forged_garbled_and_ended_links_open_nothing(desk: tuple[Served, str]) -> None:
    served, _ = desk
    app = served.app
    chat = await claimed_message(app)
    links = reply_links(app.config)
    opened = await redeem(served, links.link_token(chat.id))
    assert opened.status_code == 200 and opened.json()["chat_id"] == chat.id
    async with httpx.AsyncClient(base_url=served.url, headers={"Origin": HOST_ORIGIN}, trust_env=False) as client:
        started = await client.post("/api/v1/chats", json={"name": "Ann", "customer_token": opened.json()[
            "customer_token"]})
        again = await client.post("/api/v1/chats", json={"name": "Ann", "customer_token": started.json()[
            "customer_token"]})
    first, second = await app.chats.get(started.json()["chat_id"]), await app.chats.get(again.json()["chat_id"])
    assert first is not None and second is not None
    assert first.customer.id.startswith("s_") and second.customer.id == first.customer.id, \
        "the reopened chat's browser session carries on into the customer's next chats"
    forged = ReplyLinks("another-key-0123456789", 14).link_token(chat.id)
    for code in (forged, links.link_token(chat.id)[:-2] + "AA", "x" * 399):
        resp = await redeem(served, code)
        assert resp.status_code == 401 and resp.json()["error"] == "invalid_reply_link", code
    for body in ({"code": "a\r\nb" * 5}, {"code": "é" * 20}, {"code": ""}, {"nope": 1}):
        async with httpx.AsyncClient(base_url=served.url, headers={"Origin": HOST_ORIGIN}, trust_env=False) as c:
            assert (await c.post("/api/v1/reply-links", json=body)).status_code == 422
    await app.router.close_chat(chat.id, "agent_ended", "alice")
    gone = await redeem(served, links.link_token(chat.id))
    assert gone.status_code == 410 and gone.json()["error"] == "chat_gone"
    erased = await redeem(served, links.link_token("nosuchchat"))
    assert erased.status_code == 410


def test_reply_address_codes_are_signed_and_expire() -> None:
    links = ReplyLinks("key-0123456789abcdef", days=14)
    code = links.address_code("abc123def4", at=1_800_000_000)
    assert links.chat_of_code(code, at=1_800_000_000 + 13 * 86400) == "abc123def4"
    assert links.chat_of_code(code.upper(), at=1_800_000_000) == "abc123def4", "mail servers may fold case"
    with pytest.raises(BadReplyToken):
        links.chat_of_code(code, at=1_800_000_000 + 16 * 86400)
    chat, day, mac = code.split(".")
    for bad in (f"other12345.{day}.{mac}", f"{chat}.{day}.{'0' * 24}", "", "abc", f"{chat}.{day}.{mac}.x"):
        with pytest.raises(BadReplyToken):
            links.chat_of_code(bad, at=1_800_000_000)
