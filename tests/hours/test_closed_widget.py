"""Outside business hours, in Debian's Chromium: the widget says the queue is closed and when it opens, in the
customer's own time zone, and its start form becomes a leave-a-message form that needs an email."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, expect
from redis.asyncio import Redis

from bridge.domain.chat import ChatState
from bridge.domain.events import AuthorKind, EventKind
from tests.routing.helpers import SLACK_ON
from tests.widget.conftest import Served, running_bridge
from tests.widget.test_browser import ARTIFACTS, browser, host_site, widget  # noqa: F401 - browser: fixture

pytestmark = pytest.mark.browser


def closed_until_the_day_after_tomorrow() -> tuple[dict[str, Any], datetime]:
    today = datetime.now(UTC).date()
    opens = datetime.combine(today + timedelta(days=2), datetime.min.time(), UTC)
    hours = {"time_zone": "UTC", "weekly": {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat",
                                                                         "sun")},
             "closed_dates": [today.isoformat(), (today + timedelta(days=1)).isoformat()]}
    return hours, opens


@pytest.fixture
async def closed_desk(tmp_path: Path, redis: Redis, redis_url: str) -> AsyncIterator[tuple[Served, str]]:
    hours, _ = closed_until_the_day_after_tomorrow()
    async with running_bridge(tmp_path, redis, redis_url, slack=SLACK_ON, hours=hours) as served, \
            host_site(served.url) as url:
        yield served, url


async def shot(locator: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await locator.screenshot(path=ARTIFACTS / f"widget-{name}.png")


async def test_closed_queue_offers_to_leave_a_message_with_the_opening_in_local_time(
        closed_desk: tuple[Served, str], browser: Browser) -> None:  # noqa: F811 - imported fixture
    served, url = closed_desk
    _, opens = closed_until_the_day_after_tomorrow()
    context = await browser.new_context(viewport={"width": 900, "height": 760}, timezone_id="America/New_York",
                                        locale="en-US")
    page = await context.new_page()
    await page.goto(url)
    local = await page.evaluate(
        """at => new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short",
              hour: "2-digit", minute: "2-digit", timeZoneName: "short" }).format(new Date(at * 1000))""",
        opens.timestamp())
    assert "EST" in local or "EDT" in local
    w = widget(page)
    await w.get_by_role("button", name="Open chat: Chat with us").click()
    closed = w.locator(".prechat .closed")
    await expect(closed).to_have_text(f"We're closed right now and open again {local}. Leave a message here and "
                                      "we'll answer by email.")
    await expect(w.locator(".sub")).to_have_text(f"Closed · opens {local}")
    await expect(w.get_by_role("button", name="Leave a message")).to_be_visible()
    await w.get_by_label("Your name").fill("Ann")
    await w.get_by_role("button", name="Leave a message").click()  # no email, no message: the browser refuses
    assert not await served.app.chats.open_ids()
    await w.get_by_label("Email", exact=True).fill("ann@example.com")
    await w.get_by_label("Your message").fill("My parcel never came; order 1234.")
    await shot(w.locator(".panel"), "closed-form")
    await w.get_by_role("button", name="Leave a message").click()

    await expect(w.locator(".log .note").last).to_have_text(
        f"We're closed right now and open again {local}. Leave a message here and we'll answer by email.")
    await expect(w.locator(".msg.me .text")).to_have_text(["My parcel never came; order 1234."])
    await expect(w.get_by_label("Message", exact=True)).to_be_visible()  # more can be added to the message
    await shot(w.locator(".panel"), "closed-message-left")
    chat_id = next(iter(await served.app.chats.open_ids()))
    chat = await served.app.chats.get(chat_id)
    assert chat is not None and chat.state == ChatState.MESSAGE and chat.customer.email == "ann@example.com"
    events = await served.app.stream.read_all(chat_id)
    moved = next(e for e in events if e.kind == EventKind.OVERFLOWED)
    assert moved.data["reason"] == "closed" and moved.data["opens_at"] == opens.timestamp()
    assert [e.text for e in events if e.kind == EventKind.MESSAGE and e.author.kind == AuthorKind.CUSTOMER] == [
        "My parcel never came; order 1234."]
    await context.close()


async def test_the_closed_form_speaks_the_browsers_language_and_time(
        closed_desk: tuple[Served, str], browser: Browser) -> None:  # noqa: F811 - imported fixture
    _, url = closed_desk
    _, opens = closed_until_the_day_after_tomorrow()
    context = await browser.new_context(viewport={"width": 900, "height": 760}, timezone_id="Europe/Berlin",
                                        locale="de-DE")
    page = await context.new_page()
    await page.goto(url)
    local = await page.evaluate(
        """at => new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short",
              hour: "2-digit", minute: "2-digit", timeZoneName: "short" }).format(new Date(at * 1000))""",
        opens.timestamp())
    w = widget(page)
    await w.locator(".launcher").click()
    await expect(w.locator(".prechat .closed")).to_have_text(
        f"Wir haben gerade geschlossen und öffnen wieder {local}. Hinterlassen Sie hier eine Nachricht, wir "
        "antworten per E-Mail.")
    await expect(w.get_by_role("button", name="Nachricht hinterlassen")).to_be_visible()
    await expect(w.get_by_label("E-Mail", exact=True)).to_be_visible()
    await shot(w.locator(".panel"), "closed-form-de")
    await context.close()
