"""A thread finds its chat by channel and thread id: equal Slack ts in two channels are two threads. Chats opened
before the key named the channel are still found by their old key, but only from the very thread they recorded."""

from bridge.app import BridgeApp
from bridge.domain.chat import Chat, Customer
from bridge.events.threads import lookup_keys
from bridge.ports import ThreadRef

TS = "1700000001.000100"


async def chat_in(app: BridgeApp, channel: str, name: str) -> Chat:
    chat = await app.service.start_chat(Customer(name=name), "question", "general", 0, "hello")
    await app.threads.put(chat, ThreadRef("slack", channel, TS))
    return chat


async def from_before_the_upgrade(app: BridgeApp, channel: str) -> None:
    """Leaves the chat with only the key an older release wrote."""
    await app.redis.rename(app.keys.thread_chat("slack", channel, TS), app.keys.legacy_thread_chat("slack", TS))


async def test_equal_ts_in_two_channels_lead_to_two_chats(app: BridgeApp) -> None:
    ann, bea = await chat_in(app, "C1", "Ann"), await chat_in(app, "C2", "Bea")
    assert await app.threads.chat_of("slack", "C1", TS) == ann.id
    assert await app.threads.chat_of("slack", "C2", TS) == bea.id
    assert await app.threads.chat_of("slack", "C3", TS) is None


async def test_an_old_key_leads_only_from_the_chats_own_channel(app: BridgeApp) -> None:
    ann = await chat_in(app, "C1", "Ann")
    await from_before_the_upgrade(app, "C1")
    assert await app.threads.chat_of("slack", "C1", TS) == ann.id
    assert await app.threads.chat_of("slack", "C2", TS) is None, "an equal ts in another channel is not Ann's"
    bea = await chat_in(app, "C2", "Bea")
    assert await app.threads.chat_of("slack", "C2", TS) == bea.id
    assert await app.threads.chat_of("slack", "C1", TS) == ann.id


async def test_the_old_key_is_still_written_but_never_over_another_chats(app: BridgeApp) -> None:
    """So a process of the previous release (rolling upgrade, rollback) finds a new chat too."""
    ann = await chat_in(app, "C1", "Ann")
    assert await app.redis.get(app.keys.legacy_thread_chat("slack", TS)) == ann.id
    await chat_in(app, "C2", "Bea")
    assert await app.redis.get(app.keys.legacy_thread_chat("slack", TS)) == ann.id


async def test_the_keys_to_expire_or_erase_leave_an_old_key_that_names_another_chat(app: BridgeApp) -> None:
    ann = await chat_in(app, "C1", "Ann")
    await from_before_the_upgrade(app, "C1")
    bea = await chat_in(app, "C2", "Bea")
    ann_keys = await lookup_keys(app.redis, app.keys, ann.id, (await app.threads.all(ann.id)).values())
    assert set(ann_keys) == {app.keys.thread_chat("slack", "C1", TS), app.keys.legacy_thread_chat("slack", TS)}
    bea_keys = await lookup_keys(app.redis, app.keys, bea.id, (await app.threads.all(bea.id)).values())
    assert bea_keys == [app.keys.thread_chat("slack", "C2", TS)], "the old key is Ann's, not Bea's"
