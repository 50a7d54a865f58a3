"""Simulated CSRs on Slack, driven by what the fake Slack server reports.

The server's feed (one JSON line per post, stamped on arrival) tells the desk about offer cards in
each CSR's DM, thread headers in the queue channel, and the thread posts carrying customer messages.
A CSR presses Accept on each card it gets (a signed block_actions request) and answers in the chat's
thread (a signed message event) when the scenario asks.
"""

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from bench.load.concurrency import bounded
from bench.load.procs import Child
from bench.load.signing import SignedSlack
from bench.load.threads import SeenThreads, Thread
from bench.load.tracking import Arrivals

OFFER_ACCEPT = "offer_accept"


@dataclass
class SlackDesk:
    server: Child
    sender: SignedSlack
    events_urls: list[str]
    users: list[str]
    threads_seen: Arrivals = field(default_factory=Arrivals)
    offers_at: dict[str, float] = field(default_factory=dict)
    """Chat id -> when its offer card reached Slack."""
    threads: SeenThreads = field(default_factory=SeenThreads)
    feed: list[dict[str, Any]] | None = None
    """When a list, every line of the server's feed goes in it (the paced run reads posts and 429s from it)."""
    _card_owner: dict[str, str] = field(default_factory=dict)
    _reader: asyncio.Task[None] | None = None
    _accepts: set[asyncio.Task[bool]] = field(default_factory=set)

    def start(self) -> None:
        self._reader = asyncio.create_task(self._read())

    async def stop(self) -> None:
        """Stops reading the server's feed, so another desk can read it next."""
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, *self._accepts, return_exceptions=True)

    async def available(self, channel: str) -> None:
        """Every CSR types `/csr available`."""
        results = await bounded(32, [self.sender.slash(self._url(i), user, "available", channel)
                                     for i, user in enumerate(self.users)])
        if not all(results):
            raise RuntimeError("some CSRs could not go available")

    async def thread_of(self, chat_id: str, timeout: float) -> Thread:
        return await self.threads.wait(chat_id, timeout)

    async def reply(self, chat_id: str, text: str, via: int = 0) -> bool:
        thread = self.threads.seen[chat_id]
        return await self.sender.reply(self._url(via), thread.user, thread.channel, thread.root, text)

    def _url(self, i: int) -> str:
        return self.events_urls[i % len(self.events_urls)]

    async def _read(self) -> None:
        assert self.server.proc.stdout is not None
        while line := await self.server.proc.stdout.readline():
            post: dict[str, Any] = json.loads(line)
            if self.feed is not None:
                self.feed.append(post)
            if post["m"] == "post":
                self._on_post(post)

    def _on_post(self, post: dict[str, Any]) -> None:
        channel, chat = post["ch"], post.get("chat")
        if post.get("offer") and channel.startswith("D"):
            self.offers_at.setdefault(chat, post["at"])
            user = channel[1:]
            self._card_owner[chat] = user
            task = asyncio.create_task(self.sender.press(self._url(len(self._accepts)), user, OFFER_ACCEPT,
                                                         post["offer"], channel, post["ts"]))
            self._accepts.add(task)
            task.add_done_callback(self._accepts.discard)
        elif chat and post["th"] is None and chat in self._card_owner:
            self.threads.found(chat, Thread(channel, post["ts"], self._card_owner[chat]))
        elif post["th"]:
            self.threads_seen.saw(post["text"], post["at"])
