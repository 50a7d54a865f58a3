"""Test helpers for chats: start one as a customer, hand it to a CSR, wait for its header and its events."""

import asyncio
from collections.abc import Callable

from bridge.app import BridgeApp
from bridge.domain.chat import Chat, ChatState, Customer
from bridge.domain.events import ChatEvent
from testkit.homeserver import BOT
from testkit.matrix_people import MatrixPerson, body, thread_of


async def start_chat(app: BridgeApp, name: str = "Ann", first: str = "Hello", queue: str = "general") -> Chat:
    return await app.service.start_chat(Customer(name=name, email="ann@example.com"), "question", queue, 0, first)


async def hand_to(app: BridgeApp, chat_id: str, agent_id: str) -> None:
    """Puts a chat in a CSR's hands directly, for adapter tests that don't go through offers."""
    await app.redis.hset(app.keys.chat(chat_id), mapping={"state": ChatState.ACTIVE, "agent_id": agent_id,
                                                          "platform": "matrix"})
    await app.feed.publish("chat", chat_id)


async def open_chat(app: BridgeApp, person: MatrixPerson, room: str, name: str = "Ann", first: str = "Hello",
                    agent: str = "alice", bot_user: str = BOT, timeout: float = 30.0) -> tuple[str, str]:
    """Starts a chat, hands it to `agent` and waits until `person` sees its thread's header in `room`:
    returns the chat's id and the header's event id (the thread's root)."""
    chat = await start_chat(app, name=name, first=first)
    await hand_to(app, chat.id, agent)
    return chat.id, await header_of(person, room, chat.id, bot_user, timeout)


async def header_of(person: MatrixPerson, room: str, chat_id: str, bot_user: str = BOT, timeout: float = 30.0) -> str:
    """The event id of a chat's thread header, once `person` has seen `bot_user` post it in `room`."""
    from_bot = person.from_bot(room, bot_user=bot_user)
    [head] = await person.wait_for(lambda e: from_bot(e) and chat_id in body(e) and not thread_of(e), timeout=timeout)
    return str(head["event_id"])


async def wait_events(app: BridgeApp, chat_id: str, match: Callable[[ChatEvent], bool], count: int = 1,
                      timeout: float = 30.0) -> list[ChatEvent]:
    async with asyncio.timeout(timeout):
        while len(found := [e for e in await app.stream.read_all(chat_id) if match(e)]) < count:
            await asyncio.sleep(0.05)
    return found[:count]


def posted_lines(posts: list[dict[str, object]], label: str) -> list[str]:
    """The customer's lines as the CSR saw them, whether each came alone or merged into one post."""
    lines: list[str] = []
    for post in posts:
        text = str(post["content"]["body"])  # type: ignore[index]
        if text.startswith(f"{label}: "):
            lines += text[len(label) + 2:].split("\n")
    return lines
