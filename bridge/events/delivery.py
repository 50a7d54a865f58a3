"""Ordered, once-only delivery of each chat's events into the CSR-side thread.

The cursor of each (platform, thread) sink is kept in Redis and advanced after every delivered
event, so a restart resumes where it stopped. A Redis lock per chat makes one process deliver at
a time when several `serve` processes run; in-process, one drain per chat runs at once.
"""

import asyncio
import logging
from collections.abc import Callable

from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError

from bridge.chats import ChatRepository
from bridge.clock import now
from bridge.config.agents import AgentConfig
from bridge.domain.chat import Chat, ChatState
from bridge.domain.events import ChatEvent
from bridge.events.stream import ChatStream
from bridge.events.threads import ThreadStore
from bridge.keys import Keys
from bridge.metrics import Metrics
from bridge.ports import AgentSurface, ThreadRef

log = logging.getLogger(__name__)
RETRY_DELAYS = (0.5, 1, 2, 5, 10, 30)
LOCK_TTL = 15
"""A dead holder's lock frees itself after this; a live holder renews it, however long it delivers."""


class ChatDelivery:
    def __init__(
        self,
        redis: Redis,
        keys: Keys,
        chats: ChatRepository,
        stream: ChatStream,
        threads: ThreadStore,
        surfaces: dict[str, AgentSurface],
        agent_lookup: Callable[[str], AgentConfig | None],
        metrics: Metrics,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._chats = chats
        self._stream = stream
        self._threads = threads
        self._surfaces = surfaces
        self._agent = agent_lookup
        self._metrics = metrics
        self._running: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()
        self._failures: dict[str, int] = {}

    async def on_change(self, chat_id: str) -> None:
        """Feed handler: start a drain, or ask the running one to look again."""
        if chat_id in self._running:
            self._again.add(chat_id)
            return
        task = self._running[chat_id] = asyncio.create_task(self._drain_loop(chat_id))
        task.add_done_callback(lambda t: self._running.pop(chat_id) if self._running.get(chat_id) is t else None)

    async def catch_up(self) -> None:
        """At start: deliver whatever a crashed process left behind."""
        for chat_id in await self._chats.open_ids():
            await self.on_change(chat_id)

    async def idle(self) -> None:
        """Waits until no drain runs; tests and shutdown use it."""
        while self._running:
            await asyncio.gather(*list(self._running.values()), return_exceptions=True)

    async def _drain_loop(self, chat_id: str) -> None:
        """Leaves `_running` in the same step that finds no more work: the done-callback (kept for a task
        cancelled before it ran) comes later, and a change notified in between would be taken as "look
        again" by a loop that has already ended, so the chat would wait for its next change."""
        try:
            while True:
                self._again.discard(chat_id)
                try:
                    await self._drain_locked(chat_id)
                    self._failures.pop(chat_id, None)
                except Exception:
                    attempt = self._failures.get(chat_id, 0)
                    self._failures[chat_id] = attempt + 1
                    delay = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)]
                    log.exception("delivery of chat %s failed; retrying in %ss", chat_id, delay)
                    await asyncio.sleep(delay)
                    self._again.add(chat_id)
                if chat_id not in self._again:
                    return
        finally:
            self._running.pop(chat_id, None)

    async def _drain_locked(self, chat_id: str) -> None:
        lock = self._redis.lock(self._keys.lock(f"deliver:{chat_id}"), timeout=LOCK_TTL, blocking_timeout=30)
        if not await lock.acquire():
            raise TimeoutError(f"chat {chat_id} delivery lock busy")
        renewal = asyncio.create_task(_keep_renewed(lock))
        try:
            await self._drain(chat_id)
        finally:
            renewal.cancel()
            try:
                await lock.release()
            except LockError:
                log.warning("delivery lock of chat %s expired while delivering", chat_id)

    async def _drain(self, chat_id: str) -> None:
        chat = await self._chats.get(chat_id)
        if chat is None or not chat.platform or chat.platform not in self._surfaces:
            return
        surface = self._surfaces[chat.platform]
        thread = await self._threads.get(chat)
        if thread is None:
            if chat.state not in (ChatState.ACTIVE, ChatState.MESSAGE):
                return
            thread = await surface.open_thread(chat, self._agent(chat.agent_id))
            await self._threads.put(chat, thread)
        sink = f"{thread.platform}:{thread.thread_id}"
        cursor = await self._redis.hget(self._keys.chat_cursors(chat_id), sink) or "0"
        while events := await self._stream.read_after(chat_id, cursor, count=100):
            for event in events:
                if not _is_echo(event, thread):
                    await surface.deliver(thread, chat, event)
                    self._metrics.delivery_latency.labels(thread.platform).observe(max(0.0, now() - event.ts))
                cursor = event.id
                await self._redis.hset(self._keys.chat_cursors(chat_id), sink, cursor)
            chat = await self._chats.get(chat_id) or chat


async def _keep_renewed(lock: Lock) -> None:
    while True:
        await asyncio.sleep(LOCK_TTL / 3)
        await lock.reacquire()


def _is_echo(event: ChatEvent, thread: ThreadRef) -> bool:
    return event.origin.platform == thread.platform and event.origin.thread == thread.thread_id
