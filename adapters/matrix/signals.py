"""A CSR's live signals on Matrix, for the widget: typing and read receipts (from sync or appservice alike).

Matrix typing is per room, not per thread, so a CSR typing in a queue's room is shown in one chat: the
chat whose thread they last posted in or last took (accepted, transferred to them) in that room. The
homeserver only says when the set of typists changes, while the core's typing signal lasts a few
seconds, so the typists of each room are renewed every `RENEW_SECONDS` until they stop.

A receipt on a post the bridge made (the customer's words, a notice) marks the chat event it carried as
read by the CSR side. Both are signals: throttled per chat, off the message path, and a lost one costs
nothing.
"""

import asyncio
import json
import logging
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bridge.events.receipts import NotAnEvent, ReadMarks
from bridge.events.typing import TypingSignals
from bridge.keys import Keys
from bridge.roster import Roster

log = logging.getLogger(__name__)
RENEW_SECONDS = 3.0
MIN_GAP_SECONDS = 1.0
"""A chat's signals of one kind are sent at most this often (renewals and changes alike)."""
TYPIST_TTL = 24 * 3600


async def remember_typist(redis: Redis, keys: Keys, room_id: str, user_id: str, chat_id: str) -> None:
    """The chat a CSR's typing in `room_id` is shown in from now on."""
    await redis.set(keys.matrix_typist_chat(room_id, user_id), chat_id, ex=TYPIST_TTL)


class CsrSignals:
    def __init__(self, redis: Redis, keys: Keys, roster: Roster, typing: TypingSignals, reads: ReadMarks) -> None:
        self._redis = redis
        self._keys = keys
        self._roster = roster
        self._typing = typing
        self._reads = reads
        self._typists: dict[str, dict[str, str]] = {}
        """Room -> CSR user id -> the chat their typing shows in."""
        self._sent: dict[tuple[str, str], float] = {}

    async def typing(self, room_id: str, user_ids: list[str]) -> None:
        """The room's typists now (an `m.typing` event): starts and stops the CSRs' signals."""
        before = self._typists.get(room_id, {})
        now: dict[str, str] = {}
        for user in user_ids:
            if self._roster.by_platform_id("matrix", user) is None:
                continue
            chat = before.get(user) or await self._redis.get(self._keys.matrix_typist_chat(room_id, user))
            if chat:
                now[user] = chat if isinstance(chat, str) else chat.decode()
        self._typists[room_id] = now
        if not now:
            self._typists.pop(room_id, None)
        for user, chat in before.items():
            if user not in now:
                await self._set(chat, user, False, force=True)
        for user, chat in now.items():
            if user not in before:
                await self._set(chat, user, True, force=True)

    async def receipt(self, user_id: str, event_id: str) -> None:
        """A CSR read up to `event_id`: if it shows a chat event (adapters.matrix.posts), that is read on the agent
        side."""
        if self._roster.by_platform_id("matrix", user_id) is None:
            return
        raw = await self._redis.get(self._keys.matrix_event(event_id))
        info = json.loads(raw) if raw else {}
        if info.get("role") in ("post", "message") and info.get("chat") and info.get("event"):
            try:
                await self._reads.mark(str(info["chat"]), "agent", str(info["event"]))
            except NotAnEvent:
                pass

    async def renew(self) -> None:
        """Runs while this process leads: keeps the current typists' signals alive."""
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            for users in list(self._typists.values()):
                for user, chat in list(users.items()):
                    await self._set(chat, user, True)

    async def _set(self, chat_id: str, user_id: str, typing: bool, force: bool = False) -> None:
        moment = time.monotonic()
        if not force and moment - self._sent.get((chat_id, user_id), 0.0) < MIN_GAP_SECONDS:
            return
        self._sent[(chat_id, user_id)] = moment
        agent = self._roster.by_platform_id("matrix", user_id)
        try:
            await self._typing.set(chat_id, "agent", agent.display_name if agent else "", typing)
        except RedisError as exc:
            log.debug("typing signal for %s lost: %s", chat_id, exc)
        if not typing:
            self._sent.pop((chat_id, user_id), None)
