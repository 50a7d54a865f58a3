"""In Chromium: the widget shows what a Slack CSR does in the chat's thread (their words with emoji, their
reaction on the customer's message), the CSR side's typing and reading, and sends the customer's reaction
and reading back. Slack itself has no typing or read events: those two come from core.typing and core.reads,
which the Matrix side feeds."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect
from redis.asyncio import Redis

from testkit.fake_blocks import buttons
from testkit.fake_slack import FakeSlack
from tests.slack.bridge import InProcessBridge, slack_overrides
from tests.slack.helpers import thread_of
from tests.widget.conftest import HOST_ORIGIN
from tests.widget.test_browser import browser, host_site, send, widget

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"
__all__ = ["browser"]


@pytest.fixture
async def live(tmp_path: Path, redis: Redis, redis_url: str, fake_slack: FakeSlack) -> AsyncIterator[InProcessBridge]:
    overrides = {**slack_overrides(fake_slack), "server": {"allowed_origins": [HOST_ORIGIN]}}
    running = InProcessBridge(tmp_path, redis, redis_url, fake_slack, overrides, adapters=("slack", "widget"))
    await running.start()
    yield running
    await running.stop()


async def shot(page: object, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"widget-live-{name}.png"))  # type: ignore[attr-defined]


async def test_widget_shows_a_slack_csr_s_reaction_typing_and_seen(live: InProcessBridge, browser: Browser) -> None:
    app, fake = live.app, live.fake
    await live.sender.command("UALICE", "available")
    await live.settle()
    async with host_site(live.url) as url:
        page = await browser.new_page(viewport={"width": 900, "height": 760})
        await page.goto(url)
        w = widget(page)
        await w.get_by_role("button", name="Open chat: Chat with us").click()
        await w.get_by_label("Your name").fill("Ann")
        await w.get_by_role("button", name="Start chat").click()
        await send(page, "My parcel is late")
        await w.get_by_role("button", name="Talk to a person").click()
        chat_id = next(iter(await app.chats.open_ids()))
        card = await fake.wait_for(lambda: next((m for m in fake.messages["DUALICE"]
                                                 if "offer_accept" in buttons(m)), None))
        await live.sender.block_action("UALICE", "offer_accept", buttons(card)["offer_accept"]["value"],
                                       channel="DUALICE", message=card)
        chat = await app.chats.get(chat_id)
        assert chat is not None
        channel, root = await thread_of(live, chat)
        await expect(w.locator(".sub")).to_have_text("Chatting with Alice")

        await app.core.typing.set(chat_id, "agent", "Alice", True)
        await expect(w.locator(".typing")).to_have_text("Alice is typing…")
        await shot(page, "typing")

        [post] = await fake.wait_for(lambda: [m for m in fake.thread(channel, root)
                                              if (m.get("username") or "").endswith("(customer)")])
        assert (await live.sender.reaction("UALICE", channel, post["ts"], "+1::skin-tone-3")).status_code == 200
        mine = w.locator(".msg.me", has_text="My parcel is late")
        await expect(mine.locator(".reactions .chip")).to_have_text(["👍🏼"])
        await expect(mine.locator(".chip")).to_have_attribute("title", "Alice reacted 👍🏼")
        ts = await live.sender.thread_reply("UALICE", channel, root, "On it :mag: :partyparrot:")
        fake.messages[channel].append({"ts": ts, "channel": channel, "user": "UALICE", "thread_ts": root,
                                       "text": "On it"})
        theirs = w.locator(".msg.agent", has_text="On it")
        await expect(theirs.locator(".text")).to_have_text("On it 🔍 :partyparrot:")
        await expect(w.locator(".typing")).to_have_text("")

        hello = next(e for e in await app.stream.read_all(chat_id) if e.text == "My parcel is late")
        await app.core.reads.mark(chat_id, "agent", hello.id)
        await expect(w.locator(".seen")).to_have_text("Seen")
        await shot(page, "seen-and-reaction")

        await theirs.get_by_role("button", name="Add a reaction").click()
        await shot(page, "picker")
        await theirs.get_by_role("button", name="React ❤️").click()
        await expect(theirs.locator(".chip.mine")).to_have_text(["❤️"])
        await fake.wait_for(lambda: fake.message(channel, ts).get("reactions") == {"heart": ["UBOT"]})
        said = next(e for e in await app.stream.read_all(chat_id) if e.text.startswith("On it"))
        async with asyncio.timeout(10):  # the widget sends its read mark within a second, tab visible at the end
            while (await app.core.reads.current(chat_id)).get("customer") != said.id:
                await asyncio.sleep(0.1)
        await shot(page, "customer-reacted")

        await send(page, "Thanks!")
        await expect(w.locator(".seen")).to_have_count(0)
        await theirs.get_by_role("button", name="Remove your ❤️").click()
        await expect(theirs.locator(".chip")).to_have_count(0)
        await fake.wait_for(lambda: fake.message(channel, ts).get("reactions") == {})

        await app.service.close(chat_id, "resolved", "alice")
        await expect(w.locator(".after .transcript")).to_be_visible()
        await expect(theirs.get_by_role("button", name="Add a reaction")).to_be_hidden()
        await shot(page, "ended")
        await page.close()
