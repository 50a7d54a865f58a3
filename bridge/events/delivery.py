"""Ordered, once-only delivery of each chat's events into the CSR-side thread.

One process at a time delivers a chat, under a lease in Redis (several `serve` processes may run);
in-process, one task per chat. The task keeps its lease for a moment after the chat falls quiet, so
a busy chat is not locked and unlocked for every message.

Progress per (platform, thread) sink is kept in Redis: the cursor (last event delivered) and the event
being attempted, written together before each attempt. An attempt cut off by a crash is therefore
known, and the platform is told to look for it before posting again (`retry`). Writing "attempting E"
also records the one before E as delivered, so each event costs one write. A pass's read of the next
events carries that write for the first of them, with the last pass's cursor (see `Claim`): a pass that
posts one event makes one round trip before its post. Such a mark may name an event then not posted (an
echo, skipped; a chat whose platform went away): a later holder only looks for it before posting it.
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from redis.asyncio import Redis

from bridge.chats import ChatRepository, DecodedChat
from bridge.clock import now
from bridge.config.agents import AgentConfig
from bridge.domain.chat import Chat, ChatState
from bridge.domain.events import ChatEvent
from bridge.events.lease import ChatLease, Claim, LeaseLost, trying_field
from bridge.events.snapshot import Snapshot, read_snapshot
from bridge.events.stream import ChatStream, decode_rows, event_order
from bridge.events.threads import ThreadStore, thread_field
from bridge.keys import Keys
from bridge.metrics import Metrics
from bridge.ports import AgentSurface, ThreadRef
from bridge.redis_text import text_hash

log = logging.getLogger(__name__)
RETRY_DELAYS = (0.5, 1, 2, 5, 10, 30)
LOCK_TTL = 15
"""A dead holder's lease frees itself after this; a live holder renews it, however long it delivers."""
LINGER_SECONDS = 2.0
"""How long a quiet chat's lease is kept in case its next message follows soon."""
BATCH = 100
TAKE_POLL_SECONDS = 0.2


@dataclass
class _Progress:
    """Where delivery stands in the current sink, as this lease holder knows it."""

    sink: str = ""
    cursor: str = "0"
    trying: str = ""
    """The event last attempted here (read at the lease's start: an earlier holder's). Past the cursor, that
    attempt may have reached the platform, so posting it again looks for it first."""
    marked: str = ""
    """The event Redis names as being attempted here; a claim names the next event before its attempt."""
    unsaved: bool = False
    """The cursor moved past what Redis holds (the last attempt's success is not written yet)."""

    def enter(self, sink: str, cursors: dict[str, str]) -> None:
        self.sink, self.cursor = sink, cursors.get(sink, "0")
        self.trying = self.marked = cursors.get(trying_field(sink), "")
        self.unsaved = False

    def claimed(self, events: list[ChatEvent]) -> None:
        self.unsaved, self.marked = False, events[0].id if events else ""

    def saved(self) -> dict[str, str]:
        return {self.sink: self.cursor, trying_field(self.sink): ""} if self.unsaved else {}


@dataclass
class _Known:
    """What this lease's holder need not read or decode again."""

    threads: dict[str, ThreadRef] = field(default_factory=dict)
    """The chat's threads, read on the lease's first pass: only the lease's holder opens one."""
    chat: DecodedChat = field(default_factory=DecodedChat)


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
        owns: Callable[[str], bool] = lambda _: True,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._chats = chats
        self._stream = stream
        self._threads = threads
        self._surfaces = surfaces
        self._agent = agent_lookup
        self._metrics = metrics
        self._owns = owns
        self._running: dict[str, asyncio.Task[None]] = {}
        self._again: dict[str, asyncio.Event] = {}
        self._busy: set[str] = set()
        self._quiet = asyncio.Event()
        self._quiet.set()
        self._closing = asyncio.Event()

    async def on_change(self, chat_id: str) -> None:
        self.wake(chat_id)

    def wake(self, chat_id: str) -> None:
        """Feed handler (run inline, no task of its own): start the chat's task, or ask the running one to
        look again."""
        self._start(chat_id)

    async def catch_up(self) -> None:
        """At start, and when chats move between `serve` processes: deliver what is waiting in ours."""
        for chat_id in await self._chats.open_ids():
            if self._owns(chat_id):
                self._start(chat_id)
        for chat_id, again in self._again.items():
            if not self._owns(chat_id):
                again.set()  # moved to another process: finish the pass in hand and give the lease back

    async def idle(self) -> None:
        """Waits until no chat has events waiting to be delivered; tests and shutdown use it."""
        while self._busy:
            await self._quiet.wait()

    async def close(self, grace: float = 10.0) -> bool:
        """Finishes what is waiting (for up to `grace` seconds), then gives every lease back.

        False when deliveries were still running: they were stopped and resume on the next start."""
        finished = True
        try:
            await asyncio.wait_for(self.idle(), grace)
        except TimeoutError:
            finished = False
        self._closing.set()
        for again in self._again.values():
            again.set()  # a lingering chat's task gives its lease back now
        tasks = list(self._running.values())
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        return finished

    def _start(self, chat_id: str) -> None:
        if self._closing.is_set():
            return
        self._set_busy(chat_id, True)
        if chat_id in self._running:
            self._again[chat_id].set()
            return
        self._again[chat_id] = asyncio.Event()
        task = self._running[chat_id] = asyncio.create_task(self._run(chat_id))
        task.add_done_callback(lambda t: self._ended(chat_id, t))

    async def _run(self, chat_id: str) -> None:
        again = self._again[chat_id]
        lease = ChatLease(self._stream.batch, self._keys.lock(f"deliver:{chat_id}"), self._keys.chat_cursors(chat_id),
                          self._keys.chat_events(chat_id), LOCK_TTL, self._stream.replica_wait)
        progress, known, failures = _Progress(), _Known(), 0
        if not await self._take(chat_id, lease, again):
            return
        renewal = asyncio.create_task(lease.keep_renewed(LOCK_TTL / 3))
        renewal.add_done_callback(lambda ended: _wake_unless_cancelled(ended, again))
        try:
            while self._owns(chat_id):
                again.clear()
                try:
                    if await self._pass(chat_id, lease, progress, known):
                        again.set()
                    failures = 0
                except LeaseLost:
                    log.warning("lost the delivery lease of chat %s; another process has it", chat_id)
                    return
                except Exception:
                    log.exception("delivery of chat %s failed; retrying", chat_id)
                    failures += 1
                    await _sleep_unless(RETRY_DELAYS[min(failures - 1, len(RETRY_DELAYS) - 1)], self._closing)
                    again.set()
                if again.is_set() and not self._closing.is_set():
                    continue
                self._set_busy(chat_id, again.is_set())
                if not await _wait_for_more(again, self._closing, renewal):
                    return
        finally:
            renewal.cancel()
            await self._give_back(chat_id, lease, progress)

    async def _take(self, chat_id: str, lease: ChatLease, again: asyncio.Event) -> bool:
        """The lease is held elsewhere only while a chat moves between processes (the last owner finishes
        its pass, at most a linger) or after its holder died (until the lease runs out): wait that long.
        Past it, a live holder is delivering and hears the same changes; try again later all the same."""
        deadline = asyncio.get_running_loop().time() + LOCK_TTL + 1
        while not await lease.try_acquire():
            if self._closing.is_set() or asyncio.get_running_loop().time() > deadline:
                log.warning("chat %s stays with the process that holds it; looking again later", chat_id)
                again.set()
                return False
            await _sleep_unless(TAKE_POLL_SECONDS, self._closing)
        return True

    async def _pass(self, chat_id: str, lease: ChatLease, progress: _Progress, known: _Known) -> bool:
        """Delivers what is waiting, up to a batch; True when more may wait behind it."""
        claim = Claim(progress.sink, progress.cursor) if progress.sink else None
        snap = await read_snapshot(self._stream.batch, self._keys, chat_id, lease, claim, BATCH)
        if claim is not None:
            progress.claimed(snap.events)
        if snap.threads is not None:
            known.threads = snap.threads
        chat = known.chat.of(snap.chat_hash)
        if chat is None or not chat.platform or chat.platform not in self._surfaces:
            return False
        surface = self._surfaces[chat.platform]
        thread = known.threads.get(thread_field(chat))
        if thread is None:
            if chat.state not in (ChatState.ACTIVE, ChatState.MESSAGE):
                return False
            thread = await surface.open_thread(chat, self._agent(chat.agent_id))
            await self._threads.put(chat, thread)
            known.threads[thread_field(chat)] = thread
        events = await self._events_for(chat_id, lease, thread, snap, progress)
        await self._deliver(surface, lease, thread, chat, events, progress)
        return len(events) == BATCH

    async def _events_for(self, chat_id: str, lease: ChatLease, thread: ThreadRef, snap: Snapshot,
                          progress: _Progress) -> list[ChatEvent]:
        sink = f"{thread.platform}:{thread.thread_id}"
        if sink == progress.sink:
            return snap.events
        cursors = snap.cursors
        if cursors is None:  # the chat moved to another thread (a transfer) since this lease's first pass
            cursors = text_hash(await self._redis.hgetall(self._keys.chat_cursors(chat_id)))
        progress.enter(sink, cursors)
        events = decode_rows(chat_id, await lease.claim(Claim(sink, progress.cursor), BATCH))
        progress.claimed(events)
        return events

    async def _deliver(self, surface: AgentSurface, lease: ChatLease, thread: ThreadRef, chat: Chat,
                       events: list[ChatEvent], progress: _Progress) -> None:
        for i, event in enumerate(events):
            if event_order(event.id) <= event_order(progress.cursor):
                continue  # carried by the post before (a platform merged it)
            if _is_echo(event, thread):
                progress.cursor, progress.unsaved = event.id, True
                continue
            retry = event.id == progress.trying
            if event.id != progress.marked:  # else the claim that read it marked it
                await lease.mark({progress.sink: progress.cursor, trying_field(progress.sink): event.id})
                progress.unsaved = False
            progress.trying = progress.marked = event.id
            last = await surface.deliver(thread, chat, event, events[i + 1:], retry) or event.id
            self._metrics.delivery_latency.labels(thread.platform).observe(max(0.0, now() - event.ts))
            progress.cursor, progress.unsaved = max(event.id, last, key=event_order), True

    async def _give_back(self, chat_id: str, lease: ChatLease, progress: _Progress) -> None:
        try:
            await lease.mark(progress.saved() if progress.sink else {}, release=True)
        except LeaseLost:
            pass
        except Exception:  # Redis away: the lease expires by itself, the next holder retries the last event
            log.warning("could not give back the delivery lease of chat %s", chat_id, exc_info=True)

    def _ended(self, chat_id: str, task: "asyncio.Task[None]") -> None:
        if self._running.get(chat_id) is task:
            del self._running[chat_id]
            again = self._again.pop(chat_id)
            self._set_busy(chat_id, False)
            if again.is_set() and self._owns(chat_id):
                self._start(chat_id)

    def _set_busy(self, chat_id: str, busy: bool) -> None:
        if busy:
            self._busy.add(chat_id)
            self._quiet.clear()
        else:
            self._busy.discard(chat_id)
            if not self._busy:
                self._quiet.set()


def _is_echo(event: ChatEvent, thread: ThreadRef) -> bool:
    return event.origin.platform == thread.platform and event.origin.thread == thread.thread_id


async def _sleep_unless(seconds: float, stop: asyncio.Event) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass


def _wake_unless_cancelled(renewal: "asyncio.Task[None]", again: asyncio.Event) -> None:
    """The renewal ended by itself: the lease is lost, and a lingering task must not wait out its linger. Its
    LeaseLost is read here, so asyncio does not log it as never retrieved: the renewal may also end so after its
    task was done with it, when a cancellation came as its Redis call finished and was lost (asyncio.wait_for
    in Python 3.11 can drop one)."""
    if not renewal.cancelled():
        renewal.exception()
        again.set()


async def _wait_for_more(again: asyncio.Event, closing: asyncio.Event, renewal: "asyncio.Task[None]") -> bool:
    """True when new work came while the lease was kept; False to give the lease back. Closing and a lost lease
    set `again` too, so this waits on one event (a task per wait was a cost per message under load)."""
    if not again.is_set():
        try:
            async with asyncio.timeout(LINGER_SECONDS):
                await again.wait()
        except TimeoutError:
            return False
    return not closing.is_set() and not renewal.done()
