"""A queue over several Slack channels: each new chat's thread opens in the least busy one and stays there."""

import asyncio
from collections.abc import AsyncIterator

import pytest

from adapters.slack.pacing import ChannelPacer
from bridge.domain.agent import Presence
from bridge.domain.events import EventKind
from testkit.fake_slack import FakeSlack
from tests.slack.bridge import CHANNELS, SUPERVISORS, InProcessBridge
from tests.slack.helpers import active_chat, said, thread_of

FIRST, SECOND = CHANNELS["general"], "CGENERAL2"


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(channels=(*CHANNELS.values(), SECOND, SUPERVISORS)) as fake:
        yield fake


@pytest.fixture
def slack_settings() -> dict:
    return {"channels": {**CHANNELS, "general": [FIRST, SECOND]}}


async def busy(bridge: InProcessBridge, channel: str, posts: int) -> None:
    """Posts made there lately by another `serve` process, as its records count them."""
    async with bridge.redis.pipeline(transaction=True) as pipe:
        bridge.app.core.posts.load.count(pipe, [("slack", channel)] * posts)
        await pipe.execute()


async def loads(bridge: InProcessBridge) -> dict[str, float]:
    return dict(zip((FIRST, SECOND), await bridge.app.core.posts.load.loads("slack", [FIRST, SECOND]), strict=True))


async def test_new_chats_open_in_the_least_busy_channel(bridge: InProcessBridge) -> None:
    await busy(bridge, FIRST, 3)
    placed = []
    for n in range(3):
        await bridge.settle()
        before = await loads(bridge)
        chat = await active_chat(bridge.app, name=f"Customer {n}", first=f"hello {n}")
        channel, root = await thread_of(bridge, chat)
        assert before[channel] == min(before.values()), (n, channel, before)
        assert bridge.fake.message(channel, root)["thread_ts"] is None
        placed.append(channel)
    assert placed[0] == SECOND, "the first chat avoids the busy channel"
    assert set(placed) == {FIRST, SECOND}, f"new chats spread over both channels: {placed}"
    assert (await loads(bridge))[SECOND] > 0, "the bridge's own posts count towards the load"


async def test_chats_arriving_together_spread_over_the_channels(bridge: InProcessBridge) -> None:
    chats = await asyncio.gather(*(active_chat(bridge.app, name=f"Customer {n}") for n in range(4)))
    channels = [channel for channel, _ in await asyncio.gather(*(thread_of(bridge, chat) for chat in chats))]
    assert sorted(channels) == [FIRST, FIRST, SECOND, SECOND], channels


async def test_a_chat_stays_in_its_channel_through_replies_restart_and_end(bridge: InProcessBridge) -> None:
    await busy(bridge, FIRST, 5)
    chat = await active_chat(bridge.app, first="first words")
    channel, root = await thread_of(bridge, chat)
    assert channel == SECOND
    await busy(bridge, SECOND, 50)  # now the other channel is far quieter
    await bridge.app.service.customer_message(chat.id, "still here")
    await bridge.sender.thread_reply("UALICE", channel, root, "on it")
    await bridge.app.router.set_presence(bridge.app.agent("bob"), Presence.AWAY)
    moved = await bridge.app.router.reassign_to_agent(chat.id, bridge.app.agent("bob"), "slack",
                                                      bridge.app.agent("sam"))
    assert moved.status == "assigned", moved
    await bridge.settle()
    await bridge.stop()
    await bridge.start()
    await bridge.app.service.customer_message(chat.id, "after the restart")
    await bridge.app.service.close(chat.id, "resolved", "alice")
    await bridge.fake.wait_for(lambda: any("ended" in m["text"] for m in bridge.fake.thread(channel, root)))
    await bridge.settle()
    texts = [m["text"] for m in said(bridge.fake, channel, root)]
    assert {"first words", "still here", "after the restart"} <= set(texts), texts
    assert bridge.fake.messages[FIRST] == [], "nothing of the chat went to the queue's other channel"
    header = bridge.fake.message(channel, root)
    assert not [b for b in header["blocks"] if b["type"] == "actions"] and "Bob" in str(header["blocks"])


async def test_a_reply_in_the_second_channel_reaches_its_chat(bridge: InProcessBridge) -> None:
    await busy(bridge, FIRST, 5)
    chat = await active_chat(bridge.app)
    channel, root = await thread_of(bridge, chat)
    assert channel == SECOND
    await bridge.sender.thread_reply("UALICE", channel, root, "Hi from the second channel")
    await bridge.settle()
    replies = [e.text for e in await bridge.app.stream.read_all(chat.id)
               if e.kind is EventKind.MESSAGE and e.author.id == "alice"]
    assert replies == ["Hi from the second channel"]


async def test_a_backlog_is_still_coalesced_in_the_second_channel(bridge: InProcessBridge) -> None:
    await busy(bridge, FIRST, 5)
    chat = await active_chat(bridge.app, first="message 0")
    channel, root = await thread_of(bridge, chat)
    assert channel == SECOND
    for n in range(1, 20):
        await bridge.app.service.customer_message(chat.id, f"message {n}")
    await bridge.fake.wait_for(lambda: "message 19" in "\n".join(m["text"] for m in said(bridge.fake, channel, root)),
                               timeout=30)
    await bridge.settle()
    posts = said(bridge.fake, channel, root)
    assert [line for m in posts for line in m["text"].split("\n")] == [f"message {n}" for n in range(20)]
    assert len(posts) < 20, "waiting messages went out merged"
    assert bridge.fake.calls_to("chat.postMessage", ok=False) == []


async def test_channels_of_one_queue_are_paced_apart() -> None:
    """A burst that uses up one channel's pace does not hold back a post in the queue's other channel."""
    pacer, loop = ChannelPacer(per_second=1.0, burst=4), asyncio.get_running_loop()
    for _ in range(4):
        await pacer.slot(FIRST)
    started = loop.time()
    await pacer.slot(SECOND)
    assert loop.time() - started < 0.2
    await pacer.slot(FIRST)
    assert loop.time() - started > 0.5, "the busy channel itself waits its turn"


async def test_a_transfer_into_the_queue_opens_a_new_thread_in_its_least_busy_channel(
        bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app, queue="billing")
    old_channel, old_root = await thread_of(bridge, chat)
    assert old_channel == CHANNELS["billing"]
    await busy(bridge, FIRST, 5)
    await bridge.redis.hset(bridge.app.keys.chat(chat.id), "queue", "general")  # what a queue transfer leaves
    await bridge.app.feed.publish("chat", chat.id)
    moved = await bridge.app.chats.get(chat.id)
    assert moved is not None
    deadline = asyncio.get_running_loop().time() + 10
    while (ref := await bridge.app.threads.get(moved)) is None and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.02)
    assert ref is not None and ref.conversation == SECOND
    await bridge.settle()
    assert "General" in str(bridge.fake.message(old_channel, old_root)["blocks"]), "the old header says where"
