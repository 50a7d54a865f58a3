"""Shared steps of the Slack tests."""

import asyncio
import time
from typing import Any

from adapters.slack.context_card import CARD_EVENT_TYPE
from bridge.app import BridgeApp
from bridge.clock import now
from bridge.domain.chat import Chat, ChatState, Customer
from testkit.fake_blocks import buttons
from testkit.fake_slack import FakeSlack
from tests.slack.bridge import InProcessBridge


def said(fake: FakeSlack, channel: str, root: str) -> list[dict[str, Any]]:
    """A thread's posts but the customer's context card (tests/slack/test_context_card.py checks that)."""
    return [m for m in fake.thread(channel, root) if (m.get("metadata") or {}).get("event_type") != CARD_EVENT_TYPE]


def card_post(fake: FakeSlack, channel: str, root: str) -> dict[str, Any] | None:
    return next((m for m in fake.thread(channel, root)
                 if (m.get("metadata") or {}).get("event_type") == CARD_EVENT_TYPE), None)


async def active_chat(app: BridgeApp, name: str = "Ann", first: str = "Hello there", agent: str = "alice",
                      queue: str = "general") -> Chat:
    """A chat already accepted on Slack, without routing (routing has its own tests)."""
    chat = await app.service.start_chat(Customer(name=name), "question", queue, 0, first)
    await app.redis.hset(app.keys.chat(chat.id), mapping={"state": ChatState.ACTIVE, "agent_id": agent,
                                                          "platform": "slack", "escalated_at": now() - 42,
                                                          "accepted_at": now()})
    await app.feed.publish("chat", chat.id)
    return chat


async def thread_of(bridge: InProcessBridge, chat: Chat, timeout: float = 10.0) -> tuple[str, str]:
    """(channel, root ts) of the chat's thread once delivery opened it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fresh = await bridge.app.chats.get(chat.id)
        ref = await bridge.app.threads.get(fresh) if fresh else None
        if ref is not None:
            return ref.conversation, ref.thread_id
        await asyncio.sleep(0.02)
    raise AssertionError("the chat's thread was never opened")


async def accepted_chat(bridge: InProcessBridge, name: str = "Ann", first: str = "Hello there",
                        user: str = "UALICE") -> tuple[Chat, str, str]:
    """A chat routed for real: the CSR goes available, the customer escalates, the CSR presses Accept on
    the card in their DM. Returns the chat and its thread's (channel, root ts)."""
    fake = bridge.fake
    await bridge.sender.command(user, "available")
    await bridge.settle()
    chat = await bridge.app.service.start_chat(Customer(name=name), "question", "general", 0, first)
    await bridge.app.service.escalate(chat.id)
    dm = f"D{user}"
    card = await fake.wait_for(lambda: next((m for m in fake.messages[dm] if "offer_accept" in buttons(m)), None))
    await bridge.sender.block_action(user, "offer_accept", buttons(card)["offer_accept"]["value"], channel=dm,
                                     message=card)
    channel, root = await thread_of(bridge, chat)
    return chat, channel, root
