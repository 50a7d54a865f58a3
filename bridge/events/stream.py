"""Each chat's ordered event stream in Redis: append once, read after an id, trim after archive."""

import asyncio
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bridge.domain.events import ChatEvent
from bridge.events.replicas import ReplicaWait
from bridge.keys import Keys
from bridge.redis_batch import RedisBatch
from bridge.redis_text import stream_rows, text_or_none

_APPEND = files("bridge.events").joinpath("append.lua").read_text()
CHANGES_MAXLEN = 100_000


@dataclass(frozen=True)
class Appended:
    event: ChatEvent
    created: bool
    """False when the client message id was seen before: the stored event is returned instead."""


class ChatStream:
    """Reads and writes one chat's events; the stream id is the event id the widget resumes from."""

    def __init__(self, redis: Redis, keys: Keys, replica_wait: ReplicaWait = ReplicaWait(),
                 batch: RedisBatch | None = None) -> None:
        self._redis = redis
        self._keys = keys
        self._append = redis.register_script(_APPEND)
        self.replica_wait = replica_wait
        """Shared with delivery, whose progress marks must survive a failover as the events do."""
        self.batch = batch or RedisBatch(redis)
        """The process' group commit, shared with delivery and the widget: many chats' appends and reads
        go to Redis in one round trip."""
        self._appended = _Appended()

    async def append(self, event: ChatEvent) -> Appended:
        """Stores the event once per client message id; with `wait_replicas`, returns only once that many
        replicas hold it (WAIT on the connection that wrote it), so a failover keeps what a sender was told; a
        repeat then rewrites its id, so the WAIT covers the first attempt's write too (see append.lua)."""
        k = self._keys
        keys = [k.chat_events(event.chat_id), k.chat_msgids(event.chat_id), k.changes, k.chat(event.chat_id)]
        args: list[str | int] = [event.model_dump_json(exclude={"id"}), event.client_msg_id, event.chat_id,
                                 CHANGES_MAXLEN, "1" if self.replica_wait.replicas else "0"]
        with self._appended.in_flight(event.chat_id):
            event_id, created, *before = await self.replica_wait.run(self.batch, self._append, keys, args)
            if created:
                new = event.model_copy(update={"id": event_id})
                self._appended.add(before[0], new)
                return Appended(new, True)
        stored = await self.get(event.chat_id, event_id)
        return Appended(stored or event.model_copy(update={"id": event_id}), False)

    async def appended_after(self, chat_id: str, after: str) -> ChatEvent | None:
        """The event this process appended to the chat right after `after`, if it was the very next one: a
        reader that holds the stream up to `after`, and was told this is the newest event, need not read it.
        An append to the chat still in flight here is waited for: its reply is on its way, and the feed's
        announcement of it often comes first."""
        event = self._appended.after(chat_id, after)
        if event is None and (flying := self._appended.flying(chat_id)):
            await asyncio.wait(flying)
            event = self._appended.after(chat_id, after)
        return event

    async def get(self, chat_id: str, event_id: str) -> ChatEvent | None:
        rows = await self._redis.xrange(self._keys.chat_events(chat_id), event_id, event_id, count=1)
        return _DECODED.of(chat_id, stream_rows(rows)[0]) if rows else None

    async def find_by_client_id(self, chat_id: str, client_msg_id: str) -> str | None:
        """The event id stored for a client (or platform) message id, e.g. to apply an edit."""
        if not client_msg_id:
            return None
        return text_or_none(await self._redis.hget(self._keys.chat_msgids(chat_id), client_msg_id))

    def find_by_client_id_in(self, pipe: Pipeline, chat_id: str, client_msg_id: str) -> None:
        """Queues `find_by_client_id` on a caller's pipeline, to share its round trip."""
        pipe.hget(self._keys.chat_msgids(chat_id), client_msg_id or "-")

    async def read_after(self, chat_id: str, after: str = "0", count: int = 500) -> list[ChatEvent]:
        """Events with an id greater than `after` ('0' for all), oldest first."""
        pipe = self.batch.pipeline()
        pipe.xrange(self._keys.chat_events(chat_id), range_start(after), "+", count=count)
        return decode_rows(chat_id, stream_rows((await self.batch.execute(pipe))[0]))

    async def read_all(self, chat_id: str) -> list[ChatEvent]:
        events: list[ChatEvent] = []
        after = "0"
        while batch := await self.read_after(chat_id, after):
            events += batch
            after = batch[-1].id
        return events

    async def read_latest(self, chat_id: str, count: int) -> list[ChatEvent]:
        """The last `count` events, newest first (a late rating sits near the end of a closed chat)."""
        return decode_rows(chat_id, stream_rows(await self._redis.xrevrange(self._keys.chat_events(chat_id),
                                                                         count=count)))

    async def last_id(self, chat_id: str) -> str:
        rows = await self._redis.xrevrange(self._keys.chat_events(chat_id), count=1)
        return stream_rows(rows)[0][0] if rows else "0"

    async def expire(self, chat_id: str, seconds: int) -> None:
        """After archive the live stream only needs to outlive late readers."""
        k = self._keys
        async with self._redis.pipeline(transaction=True) as pipe:
            for key in (k.chat_events(chat_id), k.chat_msgids(chat_id), k.chat_cursors(chat_id)):
                pipe.expire(key, seconds)
            await pipe.execute()


EVENT_ID_PATTERN = r"^[0-9]{1,19}(?:-[0-9]{1,19})?$"
"""A stream id as a client may send it back (`after=`), in a form JSON Schema states as well: ASCII digits
only, and 19 of them at most, so every part is below 2**64 and even the largest is no last possible id."""
_EVENT_ID = re.compile(EVENT_ID_PATTERN)


def valid_event_id(value: str) -> bool:
    """Whether Redis takes `value` as the exclusive start of a range (see `range_start`).

    Redis refuses what `\\d` and `str.isdigit` let through (other scripts' digits, `٣`), what `$` lets
    through with `re.match` (a trailing newline), parts past 2**64 - 1, and a start after the very last id.
    """
    return _EVENT_ID.fullmatch(value) is not None


def event_order(event_id: str) -> tuple[int, int]:
    """Stream ids compare as (milliseconds, sequence), not as text."""
    ms, _, seq = event_id.partition("-")
    return int(ms or 0), int(seq or 0)


def range_start(after: str) -> str:
    """XRANGE's start for "after this id" ('0' or '' for the beginning)."""
    return f"({after}" if after not in ("", "0", "0-0") else "-"


class DecodedEvents:
    """The events this process decoded last, by chat, id and stored JSON: a new event is read within moments by
    delivery and by each of the customer's sockets, and decoding it (pydantic, 12 us) was done once per reader.
    The key holds the stored JSON itself, so an event rewritten in Redis (an erasure) is decoded afresh."""

    def __init__(self, size: int = 2048) -> None:
        self._size = size
        self._events: dict[tuple[str, str, str], ChatEvent] = {}

    def of(self, chat_id: str, row: tuple[str, dict[str, str]]) -> ChatEvent:
        """Clients are created with decode_responses=True, so ids and fields are str."""
        event_id, fields = row
        key = (chat_id, event_id, fields["e"])
        event = self._events.get(key)
        if event is None:
            event = _decoded(chat_id, event_id, key[2])
            _make_room(self._events, self._size)
            self._events[key] = event
        return event


_PLAIN = re.compile(r"[\w.:-]*", re.ASCII)
"""Ids that need no escaping inside a JSON string."""


def _decoded(chat_id: str, event_id: str, stored: str) -> ChatEvent:
    """The stored JSON (without an id) as the event with this id in this chat. The two are written into the JSON
    as its last keys, which win over any stored ones, so pydantic builds the event once instead of building it and
    copying it with both changed."""
    if _PLAIN.fullmatch(chat_id) and _PLAIN.fullmatch(event_id) and stored.endswith("}") and stored != "{}":
        return ChatEvent.model_validate_json(f'{stored[:-1]},"id":"{event_id}","chat_id":"{chat_id}"}}')
    return ChatEvent.model_validate_json(stored).model_copy(update={"id": event_id, "chat_id": chat_id})


class _Appended:
    """The last event this process appended to each of the most recently written chats, with the id of the event
    before it in the stream (read in the same script, so nothing came between them), and the appends in flight."""

    def __init__(self, size: int = 2048) -> None:
        self._size = size
        self._last: dict[str, tuple[str, ChatEvent]] = {}
        self._flying: dict[str, set[asyncio.Future[None]]] = {}

    @contextmanager
    def in_flight(self, chat_id: str) -> Iterator[None]:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._flying.setdefault(chat_id, set()).add(done)
        try:
            yield
        finally:
            done.set_result(None)
            flying = self._flying[chat_id]
            flying.discard(done)
            if not flying:
                del self._flying[chat_id]

    def flying(self, chat_id: str) -> set["asyncio.Future[None]"]:
        return set(self._flying.get(chat_id, ()))

    def add(self, before: str, event: ChatEvent) -> None:
        self._last.pop(event.chat_id, None)  # back to the end: the chat written most recently
        _make_room(self._last, self._size)
        self._last[event.chat_id] = (before, event)

    def after(self, chat_id: str, after: str) -> ChatEvent | None:
        before, event = self._last.get(chat_id, ("", None))
        return event if event is not None and before == after else None


def _make_room(entries: dict[Any, Any], size: int) -> None:
    """Drops the oldest entry of a full memo: dicts keep insertion order."""
    if len(entries) >= size:
        del entries[next(iter(entries))]


_DECODED = DecodedEvents()
"""One per process, like a `functools.lru_cache` of the decode: its entries are frozen and only ever read."""


def decode_rows(chat_id: str, rows: list[tuple[str, dict[str, str]]]) -> list[ChatEvent]:
    return [_DECODED.of(chat_id, row) for row in rows]

