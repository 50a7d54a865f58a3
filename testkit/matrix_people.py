"""A person on Matrix (a CSR, a supervisor, a stranger) played by their own nio client."""

import asyncio
import contextlib
import io
import time
from collections.abc import Callable
from typing import Any

from nio import (
    AsyncClient,
    AsyncClientConfig,
    ErrorResponse,
    InviteMemberEvent,
    ReceiptEvent,
    SyncResponse,
    TypingNoticeEvent,
)

from testkit.homeserver import BOT, Homeserver

Seen = dict[str, Any]
"""A timeline event as the person saw it: the raw event plus the room it came in."""
EVERY_EVENT = {"room": {"timeline": {"limit": 1000}}}
"""Synapse sends at most 10 events of a room per sync by default (the rest only as a gap to fetch): a person
who sees everything the bot posts at once (lanes send side by side) needs a longer timeline."""


class MatrixPerson:
    def __init__(self, hs: Homeserver, localpart: str) -> None:
        self.hs = hs
        self.user_id = hs.user_id(localpart)
        config = AsyncClientConfig(max_timeout_retry_wait_time=1.0, request_timeout=20)
        self.client = AsyncClient(hs.url, self.user_id, config=config)
        self.client.restore_login(self.user_id, f"DEV{localpart.upper()}", hs.token(localpart))
        self.events: list[Seen] = []
        self.signals: list[Seen] = []
        """Typing ({type: m.typing, room_id, users}) and read receipts ({type: m.receipt, room_id, event_id,
        user_id, thread_id}) as they came."""
        self.accept_invites_from = {hs.user_id(BOT)}
        self._changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Syncs once to skip the history of earlier tests, then keeps syncing in the background."""
        first = await self.client.sync(timeout=0, full_state=True)
        assert isinstance(first, SyncResponse), first
        await self._join_invites(first)
        self._task = asyncio.create_task(self._loop(first.next_batch))

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.client.close()

    async def _loop(self, since: str) -> None:
        while True:
            resp = await self.client.sync(timeout=3000, since=since, sync_filter=EVERY_EVENT)
            if not isinstance(resp, SyncResponse):
                await asyncio.sleep(0.5)
                continue
            since = resp.next_batch
            await self._join_invites(resp)
            async with self._changed:
                for room_id, info in resp.rooms.join.items():
                    self.events.extend({**e.source, "room_id": room_id} for e in info.timeline.events)
                    self.signals.extend(_signals(room_id, info.ephemeral))
                self._changed.notify_all()

    async def _join_invites(self, resp: SyncResponse) -> None:
        for room_id, info in resp.rooms.invite.items():
            inviter = next((e.sender for e in info.invite_state if isinstance(e, InviteMemberEvent)
                            and e.state_key == self.user_id), "")
            if inviter in self.accept_invites_from:
                await self.client.join(room_id)

    async def wait_for(self, match: Callable[[Seen], bool], timeout: float = 30.0, count: int = 1,
                       signals: bool = False) -> list[Seen]:
        """The first `count` events (with `signals`: typing and receipts) that match, waiting for them to arrive."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while len(found := [e for e in (self.signals if signals else self.events) if match(e)]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{self.user_id} saw {len(found)} of {count} expected events")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), left)
            return found[:count]

    def from_bot(self, room_id: str = "", thread: str = "", bot_user: str = BOT) -> Callable[[Seen], bool]:
        bot = self.hs.user_id(bot_user)

        def match(e: Seen) -> bool:
            return (e.get("sender") == bot and e.get("type") == "m.room.message"
                    and (not room_id or e["room_id"] == room_id) and (not thread or thread_of(e) == thread))
        return match

    async def send(self, room_id: str, text: str, thread: str = "", extra: dict[str, Any] | None = None) -> str:
        content: dict[str, Any] = {"msgtype": "m.text", "body": text, **(extra or {})}
        if thread:
            content["m.relates_to"] = {"rel_type": "m.thread", "event_id": thread, "is_falling_back": True,
                                       "m.in_reply_to": {"event_id": thread}}
        return await self._send(room_id, "m.room.message", content)

    async def react(self, room_id: str, target: str, key: str) -> str:
        content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": target, "key": key}}
        return await self._send(room_id, "m.reaction", content)

    async def edit(self, room_id: str, target: str, text: str) -> str:
        content = {"msgtype": "m.text", "body": f"* {text}", "m.new_content": {"msgtype": "m.text", "body": text},
                   "m.relates_to": {"rel_type": "m.replace", "event_id": target}}
        return await self._send(room_id, "m.room.message", content)

    async def redact(self, room_id: str, target: str) -> None:
        resp = await self.client.room_redact(room_id, target)
        assert not isinstance(resp, ErrorResponse), resp

    async def send_file(self, room_id: str, thread: str, data: bytes, filename: str, mimetype: str) -> str:
        up, _ = await self.client.upload(io.BytesIO(data), content_type=mimetype, filename=filename,
                                         filesize=len(data))
        assert not isinstance(up, ErrorResponse), up
        content = {"msgtype": "m.image" if mimetype.startswith("image/") else "m.file", "body": filename,
                   "filename": filename, "url": up.content_uri, "info": {"mimetype": mimetype, "size": len(data)},
                   "m.relates_to": {"rel_type": "m.thread", "event_id": thread, "is_falling_back": True,
                                    "m.in_reply_to": {"event_id": thread}}}
        return await self._send(room_id, "m.room.message", content)

    async def download(self, mxc: str) -> bytes:
        resp = await self.client.download(mxc)
        assert not isinstance(resp, ErrorResponse), resp
        return bytes(resp.body)

    async def _send(self, room_id: str, event_type: str, content: dict[str, Any]) -> str:
        resp = await self.client.room_send(room_id, event_type, content)
        assert not isinstance(resp, ErrorResponse), resp
        return str(resp.event_id)


def _signals(room_id: str, ephemeral: list[Any]) -> list[Seen]:
    out: list[Seen] = []
    for event in ephemeral:
        if isinstance(event, TypingNoticeEvent):
            out.append({"type": "m.typing", "room_id": room_id, "users": list(event.users)})
        elif isinstance(event, ReceiptEvent):
            out += [{"type": "m.receipt", "room_id": room_id, "event_id": r.event_id, "user_id": r.user_id,
                     "thread_id": r.thread_id} for r in event.receipts]
    return out


def thread_of(e: Seen) -> str:
    rel = e.get("content", {}).get("m.relates_to") or {}
    return str(rel.get("event_id", "")) if rel.get("rel_type") == "m.thread" else ""


def body(e: Seen) -> str:
    return str(e.get("content", {}).get("body", ""))
