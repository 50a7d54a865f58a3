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
from bridge.redis_text import stream_rows, text_set

_APPEND = files("adapters.matrix").joinpath("outbox_append.lua").read_text()
_TAKE = files("adapters.matrix").joinpath("outbox_take.lua").read_text()
_DONE = files("adapters.matrix").joinpath("outbox_done.lua").read_text()
QUEUED_TTL = 7 * 24 * 3600
THREAD_TTL = 30 * 24 * 3600
MAX_BATCH = 20
MAX_BATCH_BYTES = 48_000
"""Bytes of JSON-encoded body and HTML a merged post may carry: well under Matrix's 64 KiB event limit."""


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
    """The chat the post is made for: recorded once it is sent, so erasing the customer's data finds it."""
    chat_event: str = ""
    """The chat event this post shows, remembered once it is sent (adapters.matrix.posts) so reactions and read
    receipts on either side find it."""
    sender: str = ""
    """Appservice mode: the ghost that posts it (the customer's words); empty: the bot."""


@dataclass(frozen=True)
class Batch:
    room_id: str
    ids: list[str]
    entries: list[OutboxEntry]
    tx_id: str
    thread: str = ""
    """The lane's thread (a lane from before lanes, a room's timeline, may hold posts of several threads)."""
    latest: str | None = None
    """The lane thread's latest bridge post as read with the batch ("" none; None not read)."""
    resumed: bool = False
    """The batch was in flight before (a crash or a failed attempt): it may already be on the homeserver."""

    @property
    def lane(self) -> Lane:
        return Lane(self.room_id, self.thread)


class Outbox:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys
        self._append = redis.register_script(_APPEND)
        self._take = redis.register_script(_TAKE)
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
        return [Lane.parse(m) for m in text_set(await self._redis.smembers(self._keys.matrix_outbox_lanes))]

    async def pending(self, room_id: str, thread: str = "") -> int:
        return int(await self._redis.xlen(self._keys.matrix_outbox(room_id, thread)))

    async def take(self, lane: Lane) -> Batch | None:
        """The next batch to send: the one in flight if a previous attempt did not finish, else a new one.

        Its txn id follows from its posts' keys, so a retry of the batch in flight sends the same post.
        """
        k = self._keys
        keys = [k.matrix_outbox(lane.room_id, lane.thread), k.matrix_outbox_inflight(lane.room_id, lane.thread)]
        keys += [k.matrix_thread_last(lane.thread)] if lane.thread else []
        rows, latest, resumed = await self._take(keys=keys, args=[MAX_BATCH, MAX_BATCH_BYTES])
        if not rows:
            return None
        entries = [OutboxEntry.model_validate_json(fields[1]) for _, fields in rows]
        tx_id = txn_id(entries[0].key if len(entries) == 1 else f"{entries[0].key}..{entries[-1].key}")
        return Batch(lane.room_id, [r[0] for r in rows], entries, tx_id, lane.thread,
                     (latest or "") if lane.thread else None, bool(resumed))

    async def drop_chat(self, chat_id: str) -> int:
        """Takes a chat's posts that wait in any lane out of it (its customer's data is being erased); a batch
        already in flight is left to finish (it may be on the homeserver already). Returns how many went."""
        dropped = 0
        for lane in await self.lanes():
            stream = self._keys.matrix_outbox(lane.room_id, lane.thread)
            flight = await self._redis.get(self._keys.matrix_outbox_inflight(lane.room_id, lane.thread))
            start = f"({json.loads(flight)['last']}" if flight else "-"
            ids = [entry_id for entry_id, fields in stream_rows(await self._redis.xrange(stream, start, "+"))
                   if OutboxEntry.model_validate_json(fields["e"]).chat_id == chat_id]
            if ids:
                dropped += int(await self._redis.xdel(stream, *ids))
        return dropped

    async def done(self, batch: Batch, event_id: str) -> int:
        """Drops the sent batch and notes its post as the thread's latest; returns what is left in the lane."""
        k, lane, thread = self._keys, batch.lane, batch.entries[0].thread
        keys = [k.matrix_outbox(lane.room_id, lane.thread), k.matrix_outbox_inflight(lane.room_id, lane.thread),
                k.matrix_outbox_lanes]
        return int(await self._done(keys=keys + ([k.matrix_thread_last(thread)] if thread else []),
                                    args=[lane.member, event_id, THREAD_TTL, *batch.ids]))
