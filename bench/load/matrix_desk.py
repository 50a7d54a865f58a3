"""Simulated CSRs on Matrix: one nio client each, syncing like a person's client.

A CSR joins the direct room the bot invites them to, reacts ✅ to each offer card there, and answers in
a chat's thread when the scenario asks. Times on this side come from Synapse's own `origin_server_ts`
of the bot's events (when the homeserver took the bot's request), so sync delays are left out.
"""

import asyncio
import re
from dataclasses import dataclass, field
from typing import Any

from nio import AsyncClient, AsyncClientConfig, ErrorResponse, InviteMemberEvent, SyncResponse

from bench.load.homeserver import BOT, BenchHomeserver
from bench.load.threads import SeenThreads, Thread
from bench.load.tracking import Arrivals

CARD = re.compile(r"Chat (\w+) · offer (\w+)")
HEADER = re.compile(r"· chat (\w+)\n")
DESK_FILTER = {"room": {"timeline": {"limit": 1000}}}
"""Synapse's default of 10 events a room per sync drops posts when threads send at once (`limited`)."""


@dataclass
class MatrixDesk:
    hs: BenchHomeserver
    queue_rooms: set[str]
    bot_localpart: str = BOT
    ghost_prefix: str = ""
    """Appservice mode: the customers' words come from ghosts `@<prefix>...`, the rest from the bot."""
    threads_seen: Arrivals = field(default_factory=Arrivals)
    offers_at: dict[str, float] = field(default_factory=dict)
    threads: SeenThreads = field(default_factory=SeenThreads)
    feed: list[dict[str, Any]] | None = None
    """When a list, the bot's events in the queue rooms go in it, shaped like the fake Slack's feed lines."""
    failures: int = 0
    _clients: dict[str, AsyncClient] = field(default_factory=dict)
    _card_owner: dict[str, str] = field(default_factory=dict)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(self) -> None:
        for i, localpart in enumerate(self.hs.csrs):
            user = self.hs.user_id(localpart)
            client = AsyncClient(self.hs.url, user, config=AsyncClientConfig(request_timeout=60))
            client.restore_login(user, f"BENCH{i}", self.hs.token(localpart))
            first = await client.sync(timeout=0, full_state=True)
            assert isinstance(first, SyncResponse), first
            self._clients[user] = client
            self._tasks.append(asyncio.create_task(self._loop(user, client, first.next_batch, observer=i == 0)))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for client in self._clients.values():
            await client.close()

    async def available(self, room: str) -> None:
        """Every CSR says `!csr available` in the queue room."""
        for user in self._clients:
            await self._send(user, room, "m.room.message", {"msgtype": "m.text", "body": "!csr available"})

    async def thread_of(self, chat_id: str, timeout: float) -> Thread:
        return await self.threads.wait(chat_id, timeout)

    async def reply(self, chat_id: str, text: str, via: int = 0) -> bool:
        thread = self.threads.seen[chat_id]
        content = {"msgtype": "m.text", "body": text,
                   "m.relates_to": {"rel_type": "m.thread", "event_id": thread.root, "is_falling_back": True,
                                    "m.in_reply_to": {"event_id": thread.root}}}
        return await self._send(thread.user, thread.channel, "m.room.message", content)

    async def _send(self, user: str, room: str, event_type: str, content: dict[str, Any]) -> bool:
        resp = await self._clients[user].room_send(room, event_type, content, ignore_unverified_devices=True)
        failed = isinstance(resp, ErrorResponse)
        self.failures += failed
        return not failed

    async def _loop(self, user: str, client: AsyncClient, since: str, observer: bool) -> None:
        bot = self.hs.user_id(self.bot_localpart)
        ghost = f"@{self.ghost_prefix}" if self.ghost_prefix else ""
        while True:
            resp = await client.sync(timeout=30_000, since=since, sync_filter=DESK_FILTER)
            if not isinstance(resp, SyncResponse):
                await asyncio.sleep(0.2)
                continue
            since = resp.next_batch
            for room_id, info in resp.rooms.invite.items():
                if any(isinstance(e, InviteMemberEvent) and e.sender == bot for e in info.invite_state):
                    await client.join(room_id)
            for room_id, info in resp.rooms.join.items():
                in_queue_room = room_id in self.queue_rooms
                if in_queue_room and not observer:
                    continue
                for event in info.timeline.events:
                    sender = str(getattr(event, "sender", ""))
                    if sender == bot or (ghost and sender.startswith(ghost)):
                        self._on_bot_event(user, room_id, event.source, in_queue_room)

    def _on_bot_event(self, user: str, room_id: str, source: dict[str, Any], in_queue_room: bool) -> None:
        content = source.get("content") or {}
        body, rel = str(content.get("body") or ""), content.get("m.relates_to") or {}
        at = source.get("origin_server_ts", 0) / 1000
        if in_queue_room and self.feed is not None:
            thread = rel.get("event_id") if rel.get("rel_type") == "m.thread" else None
            self.feed.append({"m": "post", "at": at, "ch": room_id, "th": thread, "text": body})
        if not in_queue_room:
            card = CARD.search(body)
            if card and not rel and source.get("type") == "m.room.message" and "New chat" in body:
                chat, offer = card.groups()
                self.offers_at.setdefault(chat, at)
                self._card_owner[chat] = user
                task = asyncio.create_task(self._send(user, room_id, "m.reaction", {"m.relates_to": {
                    "rel_type": "m.annotation", "event_id": source["event_id"], "key": "✅"}}))
                self._tasks.append(task)  # type: ignore[arg-type]
        elif rel.get("rel_type") == "m.thread":
            self.threads_seen.saw(body, at)
        elif (header := HEADER.search(body)) and header[1] in self._card_owner:
            chat = header[1]
            self.threads.found(chat, Thread(room_id, source["event_id"], self._card_owner[chat]))
