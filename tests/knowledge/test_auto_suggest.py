"""Automatic suggestions: after a customer message, one internal hint in the thread (when configured)."""

import asyncio
from pathlib import Path

from redis.asyncio import Redis

from bridge.app import BridgeApp
from bridge.domain.events import EventKind
from knowledge.hints import AutoSuggest
from tests.knowledge.helpers import active_chat, boot
from tests.support.events import conversation


def auto_suggest(app: BridgeApp) -> AutoSuggest:
    """A second AutoSuggest on the app's parts, as another serve process has."""
    return AutoSuggest(app.config.knowledge, app.knowledge, app.service, app.chats, app.stream)

async def test_hint_follows_a_customer_message_once(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url, knowledge={"suggest_automatically": True})
    chat = await active_chat(app, queue="billing")
    stop = asyncio.Event()
    feed = asyncio.create_task(app.feed.run(stop))
    await asyncio.sleep(0.2)
    message = await app.service.customer_message(chat.id, "My card was declined twice, can I pay with PayPal?")
    deadline = asyncio.get_running_loop().time() + 10
    while not (hints := [e for e in await app.stream.read_all(chat.id) if e.kind == EventKind.NOTICE]):
        assert asyncio.get_running_loop().time() < deadline, "no hint appeared"
        await asyncio.sleep(0.05)
    stop.set()
    await feed
    await auto_suggest(app).on_chat_change(chat.id)  # another serve process seeing the same change
    hints = [e for e in await app.stream.read_all(chat.id) if e.kind == EventKind.NOTICE]
    assert len(hints) == 1
    hint = hints[0]
    assert hint.internal and not hint.customer_visible and hint.data["for_event"] == message.id
    first = hint.data["suggestions"][0]
    assert first == {"label": "Article: Payment methods and declined payments",
                     "command": f"csr article {chat.id} send payment-methods"}
    assert first["command"] in hint.text


async def test_no_hint_unless_configured_or_for_agent_messages(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url)
    chat = await active_chat(app, messages=("my card was declined",))
    await auto_suggest(app).on_chat_change(chat.id)
    assert [e.kind for e in await conversation(app.stream, chat.id)] == [EventKind.MESSAGE]
    on = boot(tmp_path, redis, redis_url, knowledge={"suggest_automatically": True})
    agent = on.agent("alice")
    assert agent is not None
    from bridge.domain.events import Origin

    await on.service.agent_message(chat.id, agent, "Let me look at that", Origin(platform="core"))
    await auto_suggest(on).on_chat_change(chat.id)
    assert [e.kind for e in await conversation(on.stream, chat.id)] == [EventKind.MESSAGE, EventKind.MESSAGE]
