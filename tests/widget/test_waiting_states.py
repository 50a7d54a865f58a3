"""The widget while a customer waits for a person, in Debian's Chromium: the header and the log say the same
thing in every state (waiting, moved to another queue, leave a message, ended), in the words the server sends."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect
from redis.asyncio import Redis

from bridge.domain.agent import Presence
from bridge.domain.events import EventKind
from tests.routing.helpers import SLACK_ON
from tests.widget.conftest import Served, running_bridge
from tests.widget.test_browser import ARTIFACTS, browser, host_site, send, widget  # noqa: F401 - browser: fixture

pytestmark = pytest.mark.browser
NOBODY = ("Nobody from our team is online right now. Leave a message here, with how we can reach you, and we'll get "
          "back to you.")


@pytest.fixture
async def desk(tmp_path: Path, redis: Redis, redis_url: str) -> AsyncIterator[tuple[Served, str]]:
    """Slack enabled (a left message has a channel to show in); no CSR signed in yet."""
    async with running_bridge(tmp_path, redis, redis_url, slack=SLACK_ON) as served, host_site(served.url) as url:
        yield served, url


async def open_chat(browser: Browser, url: str, topic: str) -> Page:  # noqa: F811 - a browser, not the fixture
    page = await browser.new_page(viewport={"width": 900, "height": 760})
    await page.goto(url)
    w = widget(page)
    await w.get_by_role("button", name="Open chat: Chat with us").click()
    await w.get_by_label("Your name").fill("Ann")
    await w.get_by_label("Topic").select_option(topic)
    await w.get_by_role("button", name="Start chat").click()
    await expect(w.locator(".sub")).to_have_text("Ask us anything")
    await send(page, "My invoice is wrong")
    await expect(w.locator(".msg.me:not(.pending) .text")).to_have_text(["My invoice is wrong"])
    return page


async def says(page: Page, header: str, note: str) -> None:
    w = widget(page)
    await expect(w.locator(".sub")).to_have_text(header)
    await expect(w.locator(".log .note").last).to_have_text(note)


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await widget(page).locator(".panel").screenshot(path=ARTIFACTS / f"widget-{name}.png")


async def sign_in(served: Served, agent_id: str, presence: Presence = Presence.AWAY) -> None:
    agent = served.app.config.agent(agent_id)
    assert agent is not None
    await served.app.router.set_presence(agent, presence)


async def test_with_csrs_signed_in_the_customer_waits_with_their_place_and_no_invented_wait(
        desk: tuple[Served, str], browser: Browser) -> None:  # noqa: F811 - imported fixture
    served, url = desk
    await sign_in(served, "alice")
    page = await open_chat(browser, url, "question")
    await widget(page).get_by_role("button", name="Talk to a person").click()
    await says(page, "You're number 1 in line", "You're in line for a person from our team.")
    await expect(widget(page).get_by_role("button", name="Talk to a person")).to_be_hidden()
    await shot(page, "waiting")
    await page.reload()
    await says(page, "You're number 1 in line", "You're in line for a person from our team.")
    await page.close()


async def test_with_nobody_signed_in_the_customer_is_asked_to_leave_a_message_at_once(
        desk: tuple[Served, str], browser: Browser) -> None:  # noqa: F811 - imported fixture
    served, url = desk
    page = await open_chat(browser, url, "question")
    await widget(page).get_by_role("button", name="Talk to a person").click()
    await says(page, "Leave us a message",
               NOBODY)
    assert await widget(page).locator(".log").get_by_text("in line").count() == 0, "never told to wait in line"
    w = widget(page)
    await expect(w.get_by_label("Message", exact=True)).to_be_hidden()  # an email first, to answer at
    await shot(page, "leave-a-message-email")
    await w.get_by_label("Your email, for our answer").fill("ann@example.com")
    await w.get_by_role("button", name="Save").click()
    await send(page, "Please call me back on 555-0100")
    await expect(widget(page).locator(".msg.me:not(.pending) .text").last).to_have_text(
        "Please call me back on 555-0100")
    await shot(page, "leave-a-message")
    chat_id = next(iter(await served.app.chats.open_ids()))
    assert (await served.app.chats.get(chat_id)).state == "message"
    await page.close()


async def test_after_an_overflow_the_header_follows_the_log(desk: tuple[Served, str],
                                                           browser: Browser) -> None:  # noqa: F811 - imported fixture
    """Billing's only CSR signs off: the chat moves to General; then General's does too: leave a message."""
    served, url = desk
    await sign_in(served, "alice")  # general and billing
    page = await open_chat(browser, url, "billing")
    await widget(page).get_by_role("button", name="Talk to a person").click()
    await says(page, "You're number 1 in line", "You're in line for a person from our team.")
    await sign_in(served, "bob")  # general only
    await sign_in(served, "alice", Presence.OFFLINE)
    await served.app.router.positions.tick()
    await says(page, "You're number 1 in line", "We're asking more of our team to help you.")
    await shot(page, "overflowed")
    await sign_in(served, "bob", Presence.OFFLINE)
    await served.app.router.positions.tick()
    await says(page, "Leave us a message",
               NOBODY)
    await shot(page, "overflowed-to-message")
    await page.close()


async def test_an_ended_chat_says_so_in_the_header_and_the_log(desk: tuple[Served, str],
                                                              browser: Browser) -> None:  # noqa: F811 - imported fixture
    served, url = desk
    app = served.app
    await sign_in(served, "alice", Presence.AVAILABLE)
    page = await open_chat(browser, url, "question")
    await widget(page).get_by_role("button", name="Talk to a person").click()
    await says(page, "You're number 1 in line", "You're in line for a person from our team.")
    chat_id = next(iter(await app.chats.open_ids()))
    offer = next(e for e in await app.stream.read_all(chat_id) if e.kind == EventKind.OFFERED)
    await app.router.accept(offer.data["offer_id"], app.config.agent("alice"), "slack")
    await says(page, "Chatting with Alice", "Alice joined the chat")
    await app.router.close_chat(chat_id, "agent_ended", "alice")
    await says(page, "Chat ended", "The chat has ended.")
    await expect(widget(page).get_by_role("button", name="Send rating")).to_be_visible()
    await shot(page, "ended")
    await page.close()


async def test_with_no_csr_platform_the_chat_ends_at_once_and_says_why(
        tmp_path: Path, redis: Redis, redis_url: str, browser: Browser) -> None:  # noqa: F811 - imported fixture
    async with running_bridge(tmp_path, redis, redis_url) as served, host_site(served.url) as url:
        page = await open_chat(browser, url, "question")
        await widget(page).get_by_role("button", name="Talk to a person").click()
        await says(page, "Chat ended", "Nobody from our team can chat right now. Please try again later.")
        w = widget(page)
        await expect(w.get_by_role("button", name="Start a new chat")).to_be_visible()
        await expect(w.get_by_role("button", name="Send rating")).to_have_count(0)  # nobody from the team took part
        await shot(page, "unavailable")
        await page.close()


async def test_the_wording_comes_from_the_config(tmp_path: Path, redis: Redis, redis_url: str,
                                                 browser: Browser) -> None:  # noqa: F811 - imported fixture
    texts = {"nobody_signed_in": "Niemand ist online. Hinterlassen Sie eine Nachricht.",
             "message_status": "Nachricht hinterlassen"}
    async with running_bridge(tmp_path, redis, redis_url, slack=SLACK_ON, widget={"texts": texts}) as served, \
            host_site(served.url) as url:
        page = await open_chat(browser, url, "question")
        await widget(page).get_by_role("button", name="Talk to a person").click()
        await says(page, "Nachricht hinterlassen", "Niemand ist online. Hinterlassen Sie eine Nachricht.")
        await page.close()
