"""Each room's outbox in Redis: posts wait here, in order, until the homeserver has taken them.

Delivery returns as soon as a post is queued, so a slow or absent homeserver never blocks the core,
and a crash loses nothing. Consecutive posts with the same `coalesce` value leave as one batch; the
batch is written down before it is sent, so a retry after a crash sends the same post with the same
txn id and the homeserver keeps it once.
"""

import json
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from pydantic import BaseModel
from redis.asyncio import Redis

from adapters.matrix.poster import txn_id
from bridge.domain.events import Attachment
from bridge.keys import Keys

_APPEND = files("adapters.matrix").joinpath("outbox_append.lua").read_text()
_DONE = files("adapters.matrix").joinpath("outbox_done.lua").read_text()
QUEUED_TTL = 7 * 24 * 3600
MAX_BATCH = 20
MAX_BATCH_BYTES = 48_000
"""Merged posts stay well under Matrix's 64 KiB event limit."""


class OutboxEntry(BaseModel):
    """One post to make. Text posts may merge with their neighbours; `content` posts go as they are."""

    key: str
    """Unique per post (e.g. chat id + event id + part): dedupes queueing and names the txn id."""
    thread: str = ""
    """Root event of the thread to post in; empty for the room's timeline."""
    msgtype: str = "m.text"
    label: str = ""
    """Shown bold before the text (the customer's name); merged posts show it once."""
    body: str = ""
    html: str = ""
    coalesce: str = ""
    attachment: Attachment | None = None
    content: dict[str, Any] | None = None
    event_type: str = "m.room.message"
    chat_id: str = ""


@dataclass(frozen=True)
class Batch:
    room_id: str
    ids: list[str]
    entries: list[OutboxEntry]
    tx_id: str


class Outbox:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys
        self._append = redis.register_script(_APPEND)
        self._done = redis.register_script(_DONE)

    async def put(self, room_id: str, entry: OutboxEntry) -> bool:
        """Queues the post; False when its key was queued before (a retried delivery)."""
        k = self._keys
        added = await self._append(
            keys=[k.matrix_outbox(room_id), k.matrix_queued(entry.key), k.matrix_outbox_rooms],
            args=[entry.model_dump_json(exclude_none=True), QUEUED_TTL, room_id],
        )
        return bool(added)

    async def rooms(self) -> set[str]:
        return set(await self._redis.smembers(self._keys.matrix_outbox_rooms))

    async def pending(self, room_id: str) -> int:
        return int(await self._redis.xlen(self._keys.matrix_outbox(room_id)))

    async def take(self, room_id: str) -> Batch | None:
        """The next batch to send: the one in flight if a previous attempt did not finish, else a new one."""
        k = self._keys
        raw = await self._redis.get(k.matrix_outbox_inflight(room_id))
        if raw:
            flight = json.loads(raw)
            rows = await self._redis.xrange(k.matrix_outbox(room_id), "-", flight["last"])
            if rows:
                return _batch(room_id, rows, flight["tx"])
        rows = await self._redis.xrange(k.matrix_outbox(room_id), "-", "+", count=MAX_BATCH)
        if not rows:
            return None
        rows = _coalesced(rows)
        entries = [_entry(r) for r in rows]
        tx_id = txn_id(entries[0].key if len(entries) == 1 else f"{entries[0].key}..{entries[-1].key}")
        await self._redis.set(k.matrix_outbox_inflight(room_id), json.dumps({"last": rows[-1][0], "tx": tx_id}))
        return _batch(room_id, rows, tx_id)

    async def done(self, batch: Batch) -> None:
        k = self._keys
        await self._done(
            keys=[k.matrix_outbox(batch.room_id), k.matrix_outbox_inflight(batch.room_id), k.matrix_outbox_rooms],
            args=[batch.room_id, *batch.ids],
        )


def _entry(row: tuple[str, dict[str, str]]) -> OutboxEntry:
    return OutboxEntry.model_validate_json(row[1]["e"])


def _batch(room_id: str, rows: list[tuple[str, dict[str, str]]], tx_id: str) -> Batch:
    return Batch(room_id, [r[0] for r in rows], [_entry(r) for r in rows], tx_id)


def _coalesced(rows: list[tuple[str, dict[str, str]]]) -> list[tuple[str, dict[str, str]]]:
    first = _entry(rows[0])
    if not first.coalesce:
        return rows[:1]
    taken = rows[:1]
    size = _encoded_size(first)
    for row in rows[1:]:
        entry = _entry(row)
        size += _encoded_size(entry)
        if entry.coalesce != first.coalesce or entry.thread != first.thread or size > MAX_BATCH_BYTES:
            break
        taken.append(row)
    return taken


def _encoded_size(entry: OutboxEntry) -> int:
    return len(json.dumps(entry.body)) + len(json.dumps(entry.html))
