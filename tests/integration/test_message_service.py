"""The message service: who may speak in a chat, and what the customer sees."""

import pytest

from bridge.app import BridgeApp
from bridge.domain.chat import ChatState, Customer
from bridge.domain.events import EventKind, Origin
from bridge.service import ChatClosed, NotYours, UnknownChat
from tests.support.events import conversation

SLACK = Origin(platform="slack", conversation="C1", thread="1.0", event_id="2.0")


async def owned_chat(app: BridgeApp, agent_id: str = "alice"):
    chat = await app.service.start_chat(Customer(name="Ann", email="ann@example.com"), "question", "general", 0, "hi")
    await app.redis.hset(app.keys.chat(chat.id), mapping={"state": ChatState.ACTIVE, "agent_id": agent_id})
    return chat


async def test_only_the_owner_or_a_supervisor_may_speak(app: BridgeApp) -> None:
    chat = await owned_chat(app)
    with pytest.raises(NotYours):
        await app.service.agent_message(chat.id, app.agent("bob"), "let me", SLACK)
    sent = await app.service.agent_message(chat.id, app.agent("alice"), "hello Ann", SLACK)
    sup = await app.service.agent_message(chat.id, app.agent("sam"), "supervisor here",
                                          Origin(platform="slack", event_id="3.0"))
    assert sent.author.name == "Alice" and sent.customer_visible
    assert sup.author.id == "sam"


async def test_notes_are_internal(app: BridgeApp) -> None:
    chat = await owned_chat(app)
    note = await app.service.note(chat.id, app.agent("alice"), "VIP customer", SLACK)
    assert note.kind == EventKind.NOTE and note.internal and not note.customer_visible


async def test_closed_and_unknown_chats_refuse_messages(app: BridgeApp) -> None:
    chat = await owned_chat(app)
    await app.redis.hset(app.keys.chat(chat.id), "state", ChatState.CLOSED)
    with pytest.raises(ChatClosed):
        await app.service.customer_message(chat.id, "anyone?")
    with pytest.raises(UnknownChat):
        await app.service.customer_message("nope", "hello")
    assert [e.text for e in await conversation(app.stream, chat.id)] == ["hi"]


async def test_edit_names_the_original_by_its_platform_id(app: BridgeApp) -> None:
    chat = await owned_chat(app)
    original = await app.service.agent_message(chat.id, app.agent("alice"), "helo", SLACK)
    edit = await app.service.edit(chat.id, app.agent("alice"), Origin(platform="slack", event_id="2.0-edit"),
                                  "2.0", "hello")
    assert edit is not None and edit.kind == EventKind.EDITED and edit.data == {"target": original.id}
    assert await app.service.edit(chat.id, app.agent("alice"), Origin(platform="slack", event_id="x"),
                                  "unknown-ts", "x") is None
