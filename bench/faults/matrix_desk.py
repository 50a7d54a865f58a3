"""A CSR on the real Synapse, played by a nio client: goes available, reacts ✅ to offer cards, and replies in
the chats' threads; a send that fails (the homeserver is away) is repeated with the same transaction id,
which the homeserver keeps once."""

import asyncio
import itertools
import json
import time
from typing import Any

from nio import ErrorResponse
from redis.asyncio import Redis

from bridge.domain.chat import ChatState
from bridge.keys import Keys
from testkit.homeserver import BOT, Homeserver
from testkit.matrix_people import MatrixPerson, body, thread_of

RETRY_PAUSE = 0.5
GIVE_UP = 300.0


class MatrixDesk:
    def __init__(self, hs: Homeserver, person: MatrixPerson, redis: Redis, keys: Keys, ghost_prefix: str = "") -> None:
        """`ghost_prefix`: appservice mode, where each customer's words come from their ghost `@<prefix>...`."""
        self.hs = hs
        self._ghosts = f"@{ghost_prefix}" if ghost_prefix else ""
        self.person = person
        self._redis = redis
        self._keys = keys
        self._bot = hs.user_id(BOT)
        self._threads: dict[str, tuple[str, str, str]] = {}
        self._reacted: set[str] = set()
        self._txns = itertools.count(1)
        self.retried_events = 0

    async def available(self) -> None:
        await self.person.send(self.hs.rooms["general"], "!csr available")
        await self.person.wait_for(lambda e: e.get("sender") == self._bot and body(e).startswith("You are available"))

    async def accept_all(self, chat_ids: list[str], timeout: float = 180.0) -> None:
        async with asyncio.timeout(timeout):
            while not await self._all_active(chat_ids):
                for card in [e for e in self.person.events if e.get("sender") == self._bot
                             and body(e).startswith("📨") and e["event_id"] not in self._reacted]:
                    self._reacted.add(card["event_id"])
                    await self.person.react(card["room_id"], card["event_id"], "✅")
                await asyncio.sleep(0.2)

    async def _all_active(self, chat_ids: list[str]) -> bool:
        states = [await self._redis.hget(self._keys.chat(c), "state") for c in chat_ids]
        return all(s == ChatState.ACTIVE for s in states)

    async def thread_of(self, chat_id: str) -> tuple[str, str, str]:
        while chat_id not in self._threads:
            raw = await self._redis.hget(self._keys.chat_threads(chat_id), "matrix:general")
            if raw:
                ref = json.loads(raw)
                self._threads[chat_id] = (ref["conversation"], ref["thread_id"], self.person.user_id)
            else:
                await asyncio.sleep(0.1)
        return self._threads[chat_id]

    async def reply(self, chat_id: str, text: str) -> None:
        room, root, _ = await self.thread_of(chat_id)
        content = {"msgtype": "m.text", "body": text, "m.relates_to": {
            "rel_type": "m.thread", "event_id": root, "is_falling_back": True, "m.in_reply_to": {"event_id": root}}}
        txn = f"fault-{next(self._txns)}-{time.monotonic_ns()}"
        deadline = time.monotonic() + GIVE_UP
        for attempt in itertools.count():
            self.retried_events += attempt > 0
            try:
                sent = await asyncio.wait_for(self.person.client.room_send(room, "m.room.message", content,
                                                                           tx_id=txn), 10)
                if not isinstance(sent, ErrorResponse):
                    return
            except Exception:  # the homeserver is away: the same txn id again later
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("the homeserver never took a CSR reply")
            await asyncio.sleep(RETRY_PAUSE)

    def customer_lines(self, root: str) -> list[str]:
        """The customer's words in a thread as the bot posted them: "Name: first line", then a line each
        (appservice mode: as their ghost posted them, a line each without the name)."""
        lines: list[str] = []
        for post in self.person.events:
            if self._ghosts and str(post.get("sender", "")).startswith(self._ghosts) and thread_of(post) == root \
                    and _is_text(post):
                lines += body(post).split("\n")
            elif post.get("sender") == self._bot and thread_of(post) == root and _is_text(post):
                text = body(post)
                if text.startswith("Customer ") and ": " in text:
                    lines += text.split(": ", 1)[1].split("\n")
        return lines


def _is_text(event: dict[str, Any]) -> bool:
    return event.get("type") == "m.room.message" and event.get("content", {}).get("msgtype") == "m.text"
