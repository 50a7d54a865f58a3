"""The outboxes in Redis, one lane per thread (and one per room timeline): posts wait here, in order,
until the homeserver has taken them.

Delivery returns as soon as a post is queued, so a slow or absent homeserver never blocks the core,
and a crash loses nothing. A lane keeps one thread's posts in order while other lanes send at once.
Consecutive posts with the same `coalesce` value leave as one batch; the batch is written down before
it is sent, so a retry after a crash sends the same post with the same txn id and the homeserver keeps it once.
"""

import json
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from pydantic import BaseModel
from redis.asyncio import Redis

from adapters.matrix.lanes import Lane
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
    """Root event of the thread to post in; empty for the room's timeline. It also picks the lane."""
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
    thread: str = ""
    """The lane's thread (a lane from before lanes, a room's timeline, may hold posts of several threads)."""

    @property
    def lane(self) -> Lane:
        return Lane(self.room_id, self.thread)


class Outbox:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys
        self._append = redis.register_script(_APPEND)
        self._done = redis.register_script(_DONE)

    async def put(self, room_id: str, entry: OutboxEntry) -> bool:
        """Queues the post in its thread's lane; False when its key was queued before (a retried delivery)."""
        k, lane = self._keys, Lane(room_id, entry.thread)
        added = await self._append(
            keys=[k.matrix_outbox(room_id, entry.thread), k.matrix_queued(entry.key), k.matrix_outbox_lanes],
            args=[entry.model_dump_json(exclude_none=True), QUEUED_TTL, lane.member],
        )
        return bool(added)

    async def lanes(self) -> list[Lane]:
        return [Lane.parse(m) for m in await self._redis.smembers(self._keys.matrix_outbox_lanes)]

    async def pending(self, room_id: str, thread: str = "") -> int:
        return int(await self._redis.xlen(self._keys.matrix_outbox(room_id, thread)))

    async def take(self, lane: Lane) -> Batch | None:
        """The next batch to send: the one in flight if a previous attempt did not finish, else a new one."""
        k = self._keys
        inflight = k.matrix_outbox_inflight(lane.room_id, lane.thread)
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.get(inflight)
            pipe.xrange(k.matrix_outbox(lane.room_id, lane.thread), "-", "+", count=MAX_BATCH)
            raw, rows = await pipe.execute()
        if not rows:
            return None
        if raw:
            flight = json.loads(raw)
            last = _order(flight["last"])
            rows = [r for r in rows if _order(r[0]) <= last]
            if rows:
                return Batch(lane.room_id, [r[0] for r in rows], [_entry(r) for r in rows], flight["tx"], lane.thread)
        ids, entries = _coalesced(rows)
        tx_id = txn_id(entries[0].key if len(entries) == 1 else f"{entries[0].key}..{entries[-1].key}")
        await self._redis.set(inflight, json.dumps({"last": ids[-1], "tx": tx_id}))
        return Batch(lane.room_id, ids, entries, tx_id, lane.thread)

    async def done(self, batch: Batch) -> int:
        """Drops the sent batch; returns how many posts are still queued in its lane."""
        k, lane = self._keys, batch.lane
        return int(await self._done(
            keys=[k.matrix_outbox(lane.room_id, lane.thread), k.matrix_outbox_inflight(lane.room_id, lane.thread),
                  k.matrix_outbox_lanes],
            args=[lane.member, *batch.ids],
        ))


def _entry(row: tuple[str, dict[str, str]]) -> OutboxEntry:
    return OutboxEntry.model_validate_json(row[1]["e"])


def _order(entry_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in entry_id.split("-"))


def _coalesced(rows: list[tuple[str, dict[str, str]]]) -> tuple[list[str], list[OutboxEntry]]:
    first = _entry(rows[0])
    ids, taken = [rows[0][0]], [first]
    if not first.coalesce:
        return ids, taken
    size = _encoded_size(first)
    for row in rows[1:]:
        entry = _entry(row)
        size += _encoded_size(entry)
        if entry.coalesce != first.coalesce or entry.thread != first.thread or size > MAX_BATCH_BYTES:
            break
        ids.append(row[0])
        taken.append(entry)
    return ids, taken


def _encoded_size(entry: OutboxEntry) -> int:
    return len(json.dumps(entry.body)) + len(json.dumps(entry.html))
