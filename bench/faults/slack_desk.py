"""CSRs on the fake Slack: they go available, press Accept on the offer cards in their DMs, and reply in
the chats' threads. Requests are signed as Slack signs them, and an event that did not get its 200 is
sent again with the same event id and `X-Slack-Retry-Num`, as Slack retries unacknowledged events."""

import asyncio
import itertools
import json
import time
from typing import Any

import httpx
from redis.asyncio import Redis

from bench.faults.rig import CHANNEL
from bridge.domain.chat import ChatState
from bridge.keys import Keys
from testkit.fake_blocks import buttons
from testkit.fake_slack import FakeSlack
from testkit.signed import SlackSender

RETRY_PAUSE = 0.5
GIVE_UP = 180.0


class SlackDesk:
    def __init__(self, fake: FakeSlack, sender: SlackSender, redis: Redis, keys: Keys, users: list[str]) -> None:
        self.fake = fake
        self._sender = sender
        self._redis = redis
        self._keys = keys
        self.users = users
        self._pressed: set[str] = set()
        self._threads: dict[str, tuple[str, str, str]] = {}
        self._events = itertools.count(1)
        self.retried_events = 0

    async def _until_ok(self, send: Any) -> None:
        deadline = time.monotonic() + GIVE_UP
        while True:
            try:
                if (await send()).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("the bridge never acknowledged a Slack request")
            await asyncio.sleep(RETRY_PAUSE)

    async def available(self) -> None:
        for user in self.users:
            await self._until_ok(lambda u=user: self._sender.command(u, "available"))

    async def accept_all(self, chat_ids: list[str], timeout: float = 120.0) -> None:
        """Presses Accept on every pending card until all the chats are active."""
        async with asyncio.timeout(timeout):
            while not await self._all_active(chat_ids):
                for user in self.users:
                    for card in list(self.fake.messages[f"D{user}"]):
                        offer = buttons(card).get("offer_accept")
                        if offer is None or offer["value"] in self._pressed:
                            continue
                        self._pressed.add(offer["value"])
                        await self._until_ok(lambda u=user, o=offer["value"], c=card: self._sender.block_action(
                            u, "offer_accept", o, channel=f"D{u}", message=c))
                await asyncio.sleep(0.2)

    async def _all_active(self, chat_ids: list[str]) -> bool:
        async with self._redis.pipeline(transaction=False) as pipe:
            for chat_id in chat_ids:
                pipe.hget(self._keys.chat(chat_id), "state")
            states = await pipe.execute()
        return all(s == ChatState.ACTIVE for s in states)

    async def thread_of(self, chat_id: str) -> tuple[str, str, str]:
        """(channel, root ts, the owner's Slack user) once the chat's thread is open; kept, as Redis may go away."""
        while chat_id not in self._threads:
            raw = await self._redis.hget(self._keys.chat_threads(chat_id), "slack:general")
            agent = await self._redis.hget(self._keys.chat(chat_id), "agent_id")
            if raw and agent:
                ref = json.loads(raw)
                self._threads[chat_id] = (ref["conversation"], ref["thread_id"], f"U{agent.upper()}")
            else:
                await asyncio.sleep(0.1)
        return self._threads[chat_id]

    async def reply(self, chat_id: str, text: str) -> None:
        """The owner's reply in the chat's thread, delivered (and redelivered) as a message event."""
        channel, root, user = await self.thread_of(chat_id)
        ts = self.fake.new_ts()
        event = {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts, "thread_ts": root,
                 "event_ts": ts, "channel_type": "channel"}
        event_id = f"EvFault{next(self._events):08d}"
        attempt = itertools.count()

        async def send() -> httpx.Response:
            n = next(attempt)
            self.retried_events += n > 0
            return await self._sender.event(event, event_id=event_id, retry_num=n or None)

        await self._until_ok(send)

    def customer_lines(self, root: str) -> list[str]:
        """The customer's words in a thread as posted (a post may carry several messages, a line each)."""
        lines: list[str] = []
        for post in self.fake.thread(CHANNEL, root):
            if str(post.get("username") or "").endswith("(customer)"):
                text = str(post["text"]).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
                lines += text.split("\n")
        return lines
