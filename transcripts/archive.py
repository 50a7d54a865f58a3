"""Archiving closed chats into the SQL store before their live state in Redis may expire.

A closed chat is marked pending (a sorted set) the first time any process notices it, and an
RQ job writes it to the store. Only after the write succeeds does the live state get a TTL, so
a store that is down loses nothing: the job tries again later, and a sweep finds any chat whose
job was lost. A chat whose record the database keeps refusing is parked (transcripts/parked.py)
until an admin retries it.
"""

import logging
from collections.abc import Awaitable, Callable
from enum import StrEnum

from redis.asyncio import Redis

from bridge.chats import ChatRepository
from bridge.clock import now
from bridge.domain.chat import ChatState
from bridge.domain.events import ChatEvent, EventKind
from bridge.events.stream import ChatStream
from bridge.events.threads import decode_threads, lookup_keys
from bridge.keys import Keys
from bridge.platform_posts import PlatformPosts
from bridge.redis_text import text_hash, text_list
from transcripts.parked import ParkedArchives
from transcripts.store import CaseRow, TranscriptStore

log = logging.getLogger(__name__)
Schedule = Callable[[str], Awaitable[None]]


class ArchiveOutcome(StrEnum):
    ARCHIVED = "archived"
    NOT_CLOSED = "not_closed"
    GONE = "gone"
    ERASED = "erased"
    """The customer's data was erased on request (transcripts.privacy): the archive must not bring it back."""


class Archiver:
    def __init__(self, redis: Redis, keys: Keys, chats: ChatRepository, stream: ChatStream, store: TranscriptStore,
                 keep_live_seconds: int, schedule: Schedule) -> None:
        self._redis = redis
        self._keys = keys
        self._chats = chats
        self._stream = stream
        self.store = store
        self._keep = keep_live_seconds
        self._schedule = schedule
        self.parked = ParkedArchives(redis, keys)
        self._posts = PlatformPosts(redis, keys)

    async def on_closed_chat_change(self, chat_id: str) -> None:
        """Handler of the feed's `closed` changes (a chat closing, or an event after its end), in the process
        that owns the chat: schedules its archive. A chat whose owner died before that is found by `sweep`."""
        await self.mark_closed(chat_id)

    async def mark_closed(self, chat_id: str) -> bool:
        """True when this call scheduled the archive (once per version of the chat, across processes).

        Events that come after the archive (a rating given once the chat ended) schedule it again:
        the store rewrites the whole record, so the archive always ends with the chat's last event.
        A parked chat waits for an admin's retry.
        """
        archived = await self._redis.get(self._keys.chat_archived(chat_id))
        if archived is not None and archived == await self._stream.last_id(chat_id):
            return False
        if await self._redis.exists(self._keys.chat_erased(chat_id)):
            return False
        if await self.parked.is_parked(chat_id):
            return False
        if not await self._redis.zadd(self._keys.archive_pending, {chat_id: now()}, nx=True):
            return False
        await self._schedule(chat_id)
        return True

    async def archive(self, chat_id: str) -> ArchiveOutcome:
        """Writes the whole record; raises StoreUnavailable (nothing changed) when the store is down."""
        if await self._redis.exists(self._keys.chat_erased(chat_id)):
            await self._redis.zrem(self._keys.archive_pending, chat_id)
            return ArchiveOutcome.ERASED
        chat = await self._chats.get(chat_id)
        if chat is None:
            await self._redis.zrem(self._keys.archive_pending, chat_id)
            return ArchiveOutcome.GONE
        if chat.state != ChatState.CLOSED:
            return ArchiveOutcome.NOT_CLOSED
        events = await self._stream.read_all(chat_id)
        posts = await self._posts.of(chat_id)
        await self.store.save(chat, events, cases_of(events), posts)
        k = self._keys
        threads = decode_threads(text_hash(await self._redis.hgetall(k.chat_threads(chat_id))))
        way_back = await lookup_keys(self._redis, k, chat_id, threads.values())
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(k.chat_archived(chat_id), events[-1].id if events else "0", ex=self._keep)
            for key in (k.chat(chat_id), k.chat_threads(chat_id), k.chat_cards(chat_id), k.chat_posts(chat_id),
                        *way_back):
                pipe.expire(key, self._keep)
            pipe.zrem(k.archive_pending, chat_id)
            pipe.hdel(k.archive_failures, chat_id)
            pipe.delete(k.archive_store_down)
            await pipe.execute()
        await self._stream.expire(chat_id, self._keep)
        if len(later := await self._posts.of(chat_id)) > len(posts):  # posted while this ran; later ones re-archive
            await self.store.add_posts(chat_id, later)
        log.info("chat %s archived (%d events)", chat_id, len(events))
        return ArchiveOutcome.ARCHIVED

    async def retry(self, chat_ids: list[str]) -> list[str]:
        """Schedules parked chats' archives again (after the cause was fixed); returns those that were parked."""
        released = await self.parked.release(chat_ids)
        for chat_id in released:
            await self._redis.zadd(self._keys.archive_pending, {chat_id: now()})
            await self._schedule(chat_id)
        return released

    async def store_down(self, reason: str, for_seconds: int) -> None:
        """Notes that an archive job found the store unreachable; the next archive that succeeds clears it."""
        await self._redis.set(self._keys.archive_store_down, reason, ex=for_seconds)

    async def health(self) -> tuple[bool, str]:
        """For /readyz: healthy, or degraded with what an admin should look at."""
        k = self._keys
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hlen(k.archive_parked)
            pipe.zcard(k.archive_pending)
            pipe.get(k.archive_store_down)
            parked, pending, down = await pipe.execute()
        problems = []
        if parked:
            problems.append(f"{parked} chat(s) parked after their archive kept failing "
                            "(csr-bridge transcripts parked / retry)")
        if down:
            problems.append(f"the transcript store is unreachable ({down}); {pending} archive(s) waiting")
        return (not problems, "; ".join(problems) or f"{pending} archive(s) pending")

    async def touch(self, chat_id: str) -> None:
        """Records an attempt, so the sweep leaves a chat alone while its retries are running."""
        await self._redis.zadd(self._keys.archive_pending, {chat_id: now()}, xx=True)

    async def pending(self, older_than: float = 0) -> list[str]:
        return text_list(await self._redis.zrangebyscore(self._keys.archive_pending, "-inf", now() - older_than))

    async def sweep(self, stale_seconds: float) -> int:
        """Re-schedules archives pending for long (a lost job) and finds closed chats nobody marked."""
        count = 0
        for chat_id in await self.pending(older_than=stale_seconds):
            await self._schedule(chat_id)
            count += 1
        async for key in self._redis.scan_iter(match=self._keys.chat("*"), count=500, _type="HASH"):
            chat_id = key.removeprefix(self._keys.chat(""))
            if ":" in chat_id or await self._redis.ttl(key) != -1:
                continue
            if await self._redis.hget(key, "state") == ChatState.CLOSED and await self.mark_closed(chat_id):
                count += 1
        return count


def cases_of(events: list[ChatEvent]) -> list[CaseRow]:
    """The service cases opened in a chat, as its CASE events recorded them."""
    return [CaseRow(reference=str(e.data.get("reference", "")), type=str(e.data.get("type", "")),
                    fields=dict(e.data.get("fields", {})), created_at=e.ts, created_by=e.author.id)
            for e in events if e.kind == EventKind.CASE and e.data.get("reference")]
