"""Change notifications: every process reads the same stream and wakes its local listeners.

Entities are named `chat:ID`, `closed:ID` (a change to a chat that has ended), `typing:ID`, `read:ID`,
`offer:ID`, `agent:ID`. A notification only says "look again"; the state itself is read from Redis, so a lost or doubled
notification is harmless. A `chat:ID` change made by appending an event names that event, so a chat's reader can
tell whether it already holds everything announced (`announced`).
"""

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bridge.events.stream import CHANGES_MAXLEN, event_order, valid_event_id
from bridge.keys import Keys
from bridge.redis_text import streams_read

log = logging.getLogger(__name__)
Handler = Callable[[str], Coroutine[Any, Any, None] | None]
"""A coroutine function runs in a task of its own; a plain function (quick, never blocking) runs inline."""


@dataclass(frozen=True)
class Announced:
    """What this process heard of a chat's changes since its first waiter came."""

    unnamed: int = 0
    """Changes that named no event (the chat's state, a writer that names none): the stream must be read."""
    newest: str = "0"
    """The newest event id a change named."""


class ChangeFeed:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys
        self._handlers: dict[str, list[tuple[Handler, Callable[[str], bool] | None]]] = defaultdict(list)
        self._waiters: dict[str, set[asyncio.Event]] = defaultdict(set)
        self._announced: dict[str, Announced] = {}
        """By chat id, for chats with a `chat:ID` waiter."""

    async def publish(self, kind: str, entity_id: str) -> None:
        await self._redis.xadd(self._keys.changes, {"entity": f"{kind}:{entity_id}"}, maxlen=CHANGES_MAXLEN)

    def subscribe(self, kind: str, handler: Handler, only: Callable[[str], bool] | None = None) -> None:
        """`handler(entity_id)` runs for each change of that kind, in its own task when it is a coroutine
        function; with `only`, just for the entities it accepts (e.g. the chats this process owns), checked
        before any task is made, once per change however many handlers share it."""
        self._handlers[kind].append((handler, only))

    def waiter(self, entity: str, ev: asyncio.Event | None = None) -> asyncio.Event:
        """An event set on each change of `entity` (`ev`, or a new one; one event may wait for several
        entities); call `release` when done waiting."""
        ev = ev or asyncio.Event()
        self._waiters[entity].add(ev)
        kind, _, entity_id = entity.partition(":")
        if kind == "chat":
            self._announced.setdefault(entity_id, Announced())
        return ev

    def release(self, entity: str, ev: asyncio.Event) -> None:
        waiters = self._waiters.get(entity)
        if waiters is not None:
            waiters.discard(ev)
            if not waiters:
                del self._waiters[entity]
                kind, _, entity_id = entity.partition(":")
                if kind == "chat":
                    self._announced.pop(entity_id, None)

    def announced(self, chat_id: str) -> Announced | None:
        """Compared before and after a wait by a reader that registered a `chat:ID` waiter: the same `unnamed`
        and a `newest` it already holds mean no new event came. None without a waiter: nothing is known."""
        return self._announced.get(chat_id)

    def dispatch(self, entity: str, event_id: str = "") -> None:
        kind, _, entity_id = entity.partition(":")
        waiters = self._waiters.get(entity, ())
        if waiters and kind == "chat":
            seen = self._announced.get(entity_id, Announced())
            if not valid_event_id(event_id):  # none named, or nothing a stream id can be: read to be sure
                self._announced[entity_id] = Announced(seen.unnamed + 1, seen.newest)
            elif event_order(event_id) > event_order(seen.newest):
                self._announced[entity_id] = Announced(seen.unnamed, event_id)
        for ev in waiters:
            ev.set()
        accepted: dict[Callable[[str], bool], bool] = {}
        for handler, only in self._handlers.get(kind, ()):
            if only is not None:
                if only not in accepted:
                    accepted[only] = only(entity_id)
                if not accepted[only]:
                    continue
            try:
                work = handler(entity_id)
            except Exception:  # an inline handler's bug must not end the feed for everyone
                log.exception("change handler failed")
                continue
            if work is not None:
                asyncio.create_task(work).add_done_callback(_log_failure)

    async def run(self, stop: asyncio.Event) -> None:
        """Reads new changes until `stop` is set; survives Redis restarts by reconnecting."""
        last = "$"
        while not stop.is_set():
            try:
                rows = await self._redis.xread({self._keys.changes: last}, block=1000, count=500)
            except (RedisConnectionError, RedisTimeoutError, OSError):
                log.warning("change feed lost Redis; retrying")
                await asyncio.sleep(0.5)
                continue
            for _stream, entries in streams_read(rows or []):
                for entry_id, fields in entries:
                    last = entry_id
                    self.dispatch(fields["entity"], fields.get("event", ""))


def _log_failure(task: "asyncio.Task[None]") -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("change handler failed", exc_info=task.exception())
