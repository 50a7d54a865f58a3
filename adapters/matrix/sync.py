"""The sync loop: new events in order, each once, none skipped, across restarts.

nio keeps no sync token without its encryption store, so `next_batch` goes to Redis after every
handled sync and the loop resumes from it with `since=` (and full state once, to learn the rooms
again). The very first start skips history. When the homeserver cuts a room's timeline short
(`limited`), the gap back to our token is fetched with /messages before anything newer is handled.
The bot's own posts are filtered out on the homeserver: each would otherwise end a long poll and be
fetched, parsed and validated only to be ignored. Of the ephemeral events only typing and receipts come
through, for `CsrSignals`.
"""

import asyncio
import logging
from typing import Any

from nio import AsyncClient, Event, MessageDirection, ReceiptEvent, SyncResponse, TypingNoticeEvent
from redis.asyncio import Redis
from redis.exceptions import RedisError

from adapters.matrix.client import TRANSIENT_ERRORS, MatrixError, ok, stop_if_cancelled
from adapters.matrix.inbound import Inbound
from adapters.matrix.poster import BACKOFF
from adapters.matrix.signals import CsrSignals
from bridge.keys import Keys
from bridge.redis_text import text_or_none

log = logging.getLogger(__name__)
POLL_MS = 30_000
MAX_GAP_EVENTS = 5000
UNUSABLE_TOKEN = ("M_UNKNOWN_POS", "M_INVALID_PARAM")
"""A `since` the homeserver rejects (its database was replaced): retrying it would loop forever."""


class SyncLoop:
    def __init__(self, client: AsyncClient, redis: Redis, keys: Keys, inbound: Inbound, signals: CsrSignals,
                 timeline_limit: int = 50) -> None:
        self._client = client
        self._signals = signals
        self._redis = redis
        self._state = keys.adapter_state("matrix")
        self._inbound = inbound
        self._filter: dict[str, Any] = {
            "room": {"timeline": {"limit": timeline_limit, "not_senders": [client.user]},
                     "ephemeral": {"types": ["m.typing", "m.receipt"]}},
            "presence": {"not_types": ["*"]},
        }
        self.synced = asyncio.Event()
        """Set after each handled sync; tests and /readyz use it."""

    async def run(self) -> None:
        token = text_or_none(await self._redis.hget(self._state, "next_batch"))
        first = True
        failures = 0
        while True:
            stop_if_cancelled()
            try:
                response = await self._sync(token, first)
                if token is None:
                    await self._inbound.invites(response)
                    await self._refuse_encrypted(response)
                else:
                    await self._handle(response, token)
                token = response.next_batch
                await self._redis.hset(self._state, "next_batch", token)
                first, failures = False, 0
                self.synced.set()
            except MatrixError as exc:
                if exc.errcode in ("M_UNKNOWN_TOKEN", "M_MISSING_TOKEN"):
                    raise
                if token is not None and exc.errcode in UNUSABLE_TOKEN:
                    log.error("the homeserver no longer knows our sync token (%s); starting afresh, events "
                              "sent meanwhile are not taken in", exc.errcode)
                    token, first = None, True
                    continue
                failures += 1
                await asyncio.sleep(exc.retry_after_ms / 1000 if exc.rate_limited else _backoff(failures))
                log.warning("Matrix sync failed: %s", exc)
            except (*TRANSIENT_ERRORS, RedisError) as exc:
                failures += 1
                log.warning("Matrix sync failed (%s); retrying", exc.__class__.__name__)
                await asyncio.sleep(_backoff(failures))

    async def _sync(self, token: str | None, first: bool) -> SyncResponse:
        if token is None:
            return ok(await self._client.sync(timeout=0, sync_filter=self._filter, full_state=True), "first sync")
        resp = await self._client.sync(timeout=0 if first else POLL_MS, sync_filter=self._filter, since=token,
                                       full_state=first or None)
        return ok(resp, "sync")

    async def _handle(self, response: SyncResponse, since: str) -> None:
        await self._inbound.invites(response)
        await self._refuse_encrypted(response)
        for room_id, info in response.rooms.join.items():
            events: list[Event] = list(info.timeline.events)
            if info.timeline.limited and info.timeline.prev_batch:
                events = await self._gap(room_id, info.timeline.prev_batch, since) + events
            for event in events:
                await self._inbound.handle(room_id, event)
            await self._live_signals(room_id, info.ephemeral)

    async def _live_signals(self, room_id: str, ephemeral: list[Any]) -> None:
        """CSRs' typing and read receipts; a signal that fails is dropped (the next one says the same)."""
        try:
            for event in ephemeral:
                if isinstance(event, TypingNoticeEvent):
                    await self._signals.typing(room_id, list(event.users))
                elif isinstance(event, ReceiptEvent):
                    for receipt in event.receipts:
                        if receipt.receipt_type == "m.read":
                            await self._signals.receipt(receipt.user_id, receipt.event_id)
        except RedisError as exc:
            log.debug("Matrix signals in %s dropped: %s", room_id, exc)

    async def _gap(self, room_id: str, prev_batch: str, since: str) -> list[Event]:
        """Events between our last token and the start of a cut-short timeline, oldest first."""
        found: list[Event] = []
        start = prev_batch
        while len(found) < MAX_GAP_EVENTS:
            resp = ok(await self._client.room_messages(room_id, start=start, end=since,
                                                       direction=MessageDirection.back, limit=100), "fill gap")
            found.extend(e for e in resp.chunk if isinstance(e, Event))
            if not resp.chunk or not resp.end or resp.end == start:
                break
            start = resp.end
        log.info("fetched %d events missed in %s while away", len(found), room_id)
        return list(reversed(found))

    async def _refuse_encrypted(self, response: SyncResponse) -> None:
        for room_id in response.rooms.join:
            room = self._client.rooms.get(room_id)
            if room is not None and room.encrypted:
                await self._inbound.refuse_encrypted(room_id)


def _backoff(failures: int) -> float:
    return BACKOFF[min(failures - 1, len(BACKOFF) - 1)]
