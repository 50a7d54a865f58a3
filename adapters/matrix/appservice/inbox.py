"""The Matrix leader's side of appservice transactions: the queued room events, handled in order, once.

The API queued each transaction's room events on one stream and its typing and receipts on another
(`take_transaction.lua`); this reads both from cursors kept in Redis. A room event goes through the same
`Inbound` the sync loop feeds (which handles each event id once), an invitation of the bot through the same
`invited`; the cursor moves only once an event is handled, so a crash or a Redis outage takes it up again.
Typing and receipts go to `CsrSignals`; a failed signal is dropped.

Synapse queues an appservice's events in memory before it writes a transaction, so events it had taken just
before it stopped never come. So once a call found the homeserver away, the next round first reads the
bridge's rooms back to `CATCH_UP_MARGIN` seconds before that and handles what was missed, in order and before
anything queued later (events already handled are skipped by their id), as the sync loop fills a gap.
"""

import asyncio
import json
import logging
import time
from typing import Any, Protocol

from nio import Event
from redis.asyncio import Redis
from redis.exceptions import RedisError

from adapters.matrix.client import TRANSIENT_ERRORS, MatrixError, stop_if_cancelled
from adapters.matrix.inbound import Inbound
from adapters.matrix.poster import BACKOFF
from adapters.matrix.signals import CsrSignals
from bridge.keys import Keys
from bridge.redis_text import streams_read, texts_or_none

log = logging.getLogger(__name__)
BLOCK_MS = 1000


CATCH_UP_MARGIN = 60.0
"""Synapse may have taken events this long before it went away and not yet pushed them."""


class History(Protocol):
    unreachable_at: float

    async def joined_rooms(self) -> list[str]: ...

    async def recent(self, room_id: str, since_ms: int) -> list[dict[str, Any]]: ...


BATCH = 100


class Inbox:
    def __init__(self, redis: Redis, keys: Keys, inbound: Inbound, signals: CsrSignals, me: str,
                 history: History | None = None) -> None:
        """`history`: reads a room's recent events, and says when the homeserver was last found away."""
        self._history = history
        self._checked = time.time()
        self._from = 0.0
        self._redis = redis
        self._keys = keys
        self._state = keys.adapter_state("matrix")
        self._inbound = inbound
        self._signals = signals
        self._me = me
        self.handled = 0

    async def run(self) -> None:
        failures = 0
        await self._skip_old_signals()
        while True:
            stop_if_cancelled()
            try:
                await self._round()
                failures = 0
            except (RedisError, *TRANSIENT_ERRORS) as exc:
                failures += 1
                log.warning("appservice inbox: %s; retrying", exc.__class__.__name__)
                await asyncio.sleep(BACKOFF[min(failures - 1, len(BACKOFF) - 1)])
            except MatrixError as exc:
                failures += 1
                log.warning("appservice inbox: %s; retrying", exc)
                await asyncio.sleep(BACKOFF[min(failures - 1, len(BACKOFF) - 1)])

    async def _skip_old_signals(self) -> None:
        """A new leader starts with the signals pushed from now on: old typing and receipts are stale."""
        try:
            last = await self._redis.xrevrange(self._keys.matrix_signals, count=1)
            await self._redis.hset(self._state, "as_signals", last[0][0] if last else "0-0")
        except RedisError as exc:
            log.debug("could not skip old Matrix signals: %s", exc)

    def read_back_from(self, moment: float) -> None:
        """The homeserver could not reach the bridge from `moment` (epoch seconds): read the rooms back from then."""
        self._from = min(self._from or moment, moment)

    async def _read_back(self) -> None:
        """After the homeserver was away: the events it may have lost for us, before the queue goes on."""
        history = self._history
        away = history is not None and history.unreachable_at > self._checked
        if history is None or not (away or self._from):
            return
        began = time.time()
        moments = [history.unreachable_at - CATCH_UP_MARGIN] if away else []
        since = int(min([*moments, *([self._from] if self._from else [])]) * 1000)
        for room_id in await history.joined_rooms():
            try:
                events = await history.recent(room_id, since)
            except MatrixError as exc:
                if exc.transient:
                    raise
                log.warning("could not read %s back (%s); its missed events, if any, stay missed", room_id, exc.errcode)
                continue
            for raw in events:
                await self._event(raw)
        self._checked, self._from = began, 0.0
        log.info("read the rooms back %d s after the homeserver was away", int(began - since / 1000))

    async def _round(self) -> None:
        await self._read_back()
        k = self._keys
        inbox, signals = texts_or_none(await self._redis.hmget(self._state, ["as_inbox", "as_signals"]))
        rows = await self._redis.xread({k.matrix_inbox: inbox or "0-0", k.matrix_signals: signals or "0-0"},
                                       block=BLOCK_MS, count=BATCH)
        for stream, entries in streams_read(rows or []):
            for entry_id, fields in entries:
                if stream == k.matrix_inbox:
                    await self._event(_decoded(fields.get("e", "")))
                    async with self._redis.pipeline(transaction=True) as pipe:
                        pipe.hset(self._state, "as_inbox", entry_id)
                        pipe.xtrim(k.matrix_inbox, minid=entry_id)
                        await pipe.execute()
                    self.handled += 1
                else:
                    await self._signal(_decoded(fields.get("e", "")))
                    await self._redis.hset(self._state, "as_signals", entry_id)

    async def _event(self, raw: dict[str, Any]) -> None:
        room_id = raw.get("room_id")
        if not isinstance(room_id, str) or not isinstance(raw.get("event_id"), str):
            return
        content = raw.get("content")
        content = content if isinstance(content, dict) else {}
        if raw.get("type") == "m.room.member" and raw.get("state_key") == self._me \
                and content.get("membership") == "invite":
            await self._inbound.invited(room_id, str(raw.get("sender", "")))
            return
        event = Event.parse_event(raw)
        if isinstance(event, Event):
            await self._inbound.handle(room_id, event)

    async def _signal(self, raw: dict[str, Any]) -> None:
        room_id, content = raw.get("room_id"), raw.get("content")
        if not isinstance(room_id, str) or not isinstance(content, dict):
            return
        try:
            if raw.get("type") == "m.typing":
                users = content.get("user_ids")
                await self._signals.typing(room_id, [u for u in users if isinstance(u, str)]
                                           if isinstance(users, list) else [])
            elif raw.get("type") == "m.receipt":
                for event_id, kinds in content.items():
                    readers = kinds.get("m.read") if isinstance(kinds, dict) else None
                    for user in readers if isinstance(readers, dict) else {}:
                        await self._signals.receipt(str(user), str(event_id))
        except RedisError as exc:
            log.debug("a Matrix signal in %s was dropped: %s", room_id, exc)


def _decoded(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
