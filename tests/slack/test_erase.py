"""Erasing a customer reaches what the bridge posted for them on Slack (the fake Web API on loopback): their
words (a merged burst, a long message's parts), their file, the context card and notices go; the thread's header
and the offer card say "[erased]". Long after the chat's live state expired, from the archive's record alone."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from bridge.domain.chat import Chat, Customer
from testkit.fake_blocks import buttons
from testkit.fake_slack import FakeSlack
from tests.privacy.helpers import ANN, BOB, PNG, cli, live_keys
from tests.slack.bridge import CHANNELS, SUPERVISORS, InProcessBridge, slack_overrides
from tests.slack.helpers import active_chat, thread_of

LONG = "x" * 41_000
"""Longer than one Slack post: it goes in parts."""


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(channels=(*CHANNELS.values(), SUPERVISORS), post_rate=50.0, post_burst=50) as fake:
        yield fake


@pytest.fixture
async def bridge(tmp_path: Path, redis: Redis, redis_url: str, fake_slack: FakeSlack) -> AsyncIterator[InProcessBridge]:
    running = InProcessBridge(tmp_path, redis, redis_url, fake_slack,
                              slack_overrides(fake_slack, messages_per_second=50.0))
    await running.start()
    yield running
    await running.stop()


async def _accepted(bridge: InProcessBridge, customer: Customer, first: str) -> tuple[Chat, str, str, dict[str, Any]]:
    """A chat routed for real: an offer card in Alice's DM, accepted; returns the chat, its thread and the card."""
    fake = bridge.fake
    await bridge.sender.command("UALICE", "available")
    await bridge.settle()
    chat = await bridge.app.service.start_chat(customer, "question", "general", 0, first)
    await bridge.app.service.escalate(chat.id)
    card = await fake.wait_for(lambda: next((m for m in fake.messages["DUALICE"] if "offer_accept" in buttons(m)),
                                            None))
    await bridge.sender.block_action("UALICE", "offer_accept", buttons(card)["offer_accept"]["value"],
                                     channel="DUALICE", message=card)
    channel, root = await thread_of(bridge, chat)
    return chat, channel, root, card


async def test_erase_reaches_the_bridges_posts_on_slack_from_the_archive(
        bridge: InProcessBridge, redis: Redis, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app, fake = bridge.app, bridge.fake
    chat, channel, root, card = await _accepted(bridge, ANN, "My card ends in 4242")
    for text in ("one", "two", "three", LONG):
        await app.service.customer_message(chat.id, text)
    receipt = await app.attachments.save(chat.id, "receipt.png", "image/png", PNG)
    await app.service.customer_message(chat.id, "", attachments=[receipt])
    bobs = await active_chat(app, name=BOB.name, first="Bob's own words")
    await bridge.settle()
    bob_channel, bob_root = await thread_of(bridge, bobs)
    await fake.wait_for(lambda: len(fake.thread(bob_channel, bob_root)) >= 2)
    assert sum(LONG[:1000] in m["text"] for m in fake.thread(channel, root)) >= 2, "the long message went in parts"
    [upload] = [u for u in fake.uploads.values() if u["name"] == "receipt.png"]
    fake.messages[channel].append({"ts": fake.new_ts(), "channel": channel, "text": "Alice's own reply",
                                   "thread_ts": root, "user": "UALICE"})
    await app.service.close(chat.id, "resolved", "alice")
    await fake.wait_for(lambda: any("chat ended" in m["text"] for m in fake.thread(channel, root)))
    await bridge.settle()
    assert (await app.transcripts.archiver.archive(chat.id)).value == "archived"
    for key in await live_keys(redis, app, chat.id):  # long after: the chat's live state has expired
        await redis.delete(key)
    bobs_thread = [dict(m) for m in fake.thread(bob_channel, bob_root)]
    fake.fail("chat.delete", "cant_delete_message", after=2)

    code, out, err = await cli(capsys, "customers", "erase", "-c", str(tmp_path / "config.toml"),
                               "--email", "ann@example.com", "--yes")
    assert code == 1, (out, err)
    [refused] = [line for line in out.splitlines() if line.startswith("NOT REACHED")]
    assert refused.startswith(f"NOT REACHED  slack        post {channel} ") and "cant_delete_message" in refused
    left = fake.thread(channel, root)
    assert [m["text"] for m in left if m.get("user") == "UALICE"] == ["Alice's own reply"]
    assert [m["ts"] for m in left if m.get("bot_id")] == [refused.split()[5].rstrip(":")], \
        "every other post of the bridge in the thread is gone"
    assert upload["id"] not in fake.uploads
    header = fake.message(channel, root)
    assert (header["text"], header["blocks"]) == ("[erased]", [])
    offer = fake.message("DUALICE", card["ts"])
    assert (offer["text"], offer["blocks"]) == ("[erased]", [])
    assert "4242" not in str(fake.messages) and "three" not in str(fake.messages)
    assert fake.thread(bob_channel, bob_root) == bobs_thread and "Bob's own words" in str(bobs_thread)
    assert await app.chats.get(bobs.id) is not None


async def test_an_unreachable_slack_stops_the_erase_before_anything_goes(
        bridge: InProcessBridge, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app, fake = bridge.app, bridge.fake
    chat = await active_chat(app, name=ANN.name, first="Hello")
    await app.redis.hset(app.keys.chat(chat.id), "customer", ANN.model_dump_json())
    await bridge.settle()
    channel, root = await thread_of(bridge, chat)
    await app.service.close(chat.id, "resolved", "alice")
    await bridge.settle()
    way_back = [app.keys.thread_chat("slack", channel, root), app.keys.legacy_thread_chat("slack", root)]
    await app.redis.set(way_back[1], chat.id)  # as a release before channel-scoped thread keys wrote it
    assert await app.redis.exists(*way_back) == 2
    fake.fail("auth.test", "invalid_auth")
    code, out, err = await cli(capsys, "customers", "erase", "-c", str(tmp_path / "config.toml"),
                               "--user-id", "u-ann", "--yes")
    assert code == 3 and "nothing was erased: slack: Slack refused auth.test: invalid_auth" in err, (out, err)
    assert await app.chats.get(chat.id) is not None and fake.thread(channel, root)
    code, out, err = await cli(capsys, "customers", "erase", "-c", str(tmp_path / "config.toml"),
                               "--user-id", "u-ann", "--yes")
    assert code == 0, (out, err)
    assert await app.chats.get(chat.id) is None and not fake.thread(channel, root)
    assert await app.redis.exists(*way_back) == 0, "the thread no longer leads to the erased chat"
