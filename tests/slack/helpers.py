"""Shared steps of the Slack tests."""

from bridge.app import BridgeApp
from bridge.clock import now
from bridge.domain.chat import Chat, ChatState, Customer
from tests.slack.bridge import InProcessBridge


async def active_chat(app: BridgeApp, name: str = "Ann", first: str = "Hello there", agent: str = "alice",
                      queue: str = "general") -> Chat:
    """A chat already accepted on Slack, without routing (routing has its own tests)."""
    chat = await app.service.start_chat(Customer(name=name), "question", queue, 0, first)
    await app.redis.hset(app.keys.chat(chat.id), mapping={"state": ChatState.ACTIVE, "agent_id": agent,
                                                          "platform": "slack", "escalated_at": now() - 42,
                                                          "accepted_at": now()})
    await app.feed.publish("chat", chat.id)
    return chat


async def thread_of(bridge: InProcessBridge, chat: Chat) -> tuple[str, str]:
    """(channel, root ts) of the chat's thread once delivery opened it."""
    fresh = await bridge.app.chats.get(chat.id)
    assert fresh is not None

    async def opened() -> object:
        return await bridge.app.threads.get(fresh)

    ref = None
    for _ in range(500):
        ref = await opened()
        if ref:
            break
        await bridge.settle()
    assert ref is not None, "the chat's thread was never opened"
    return ref.conversation, ref.thread_id
