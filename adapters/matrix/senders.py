"""Drains the outboxes on the sync leader, a task per lane with queued posts: a thread's posts leave in
order, one at a time, while other threads (and room timelines) send at once, at most MAX_SENDING together;
the shared pacer keeps the bot as a whole under the homeserver's limit.

The pacer is passed before a batch is taken, so messages that arrive while the budget is spent
leave together as one post. A post the homeserver refuses for good stays queued (never dropped),
is reported on /readyz, and is retried slowly until someone fixes the room; its lane gives up its
sending slot meanwhile, so other lanes go on. A lane's task ends when its outbox is empty; a wake-up
starts it again, and a sweep every `sweep_seconds` (SWEEP_SECONDS by default) resumes any lane with
posts whose wake-up was lost.
"""

import asyncio
import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from adapters.matrix.appservice.ghosts import Ghosts
from adapters.matrix.client import TRANSIENT_ERRORS, MatrixError, stop_if_cancelled
from adapters.matrix.compose import Composer
from adapters.matrix.lanes import Lane, Slots
from adapters.matrix.outbox import Outbox
from adapters.matrix.pacer import Pacer
from adapters.matrix.poster import BACKOFF, Poster
from adapters.matrix.posts import remember_post
from bridge.keys import Keys
from bridge.platform_problems import NeedsPerson
from bridge.redis_text import text_list

log = logging.getLogger(__name__)
REFUSED_RETRY_SECONDS = 30.0
SWEEP_SECONDS = 30.0
MAX_SENDING = 32
"""Lanes sending at the same time; the others wait their turn (in order) for a slot."""


class OutboxSenders:
    def __init__(self, outbox: Outbox, poster: Poster, pacer: Pacer, composer: Composer, redis: Redis,
                 keys: Keys, max_sending: int = MAX_SENDING, sweep_seconds: float = SWEEP_SECONDS,
                 ghosts: Ghosts | None = None) -> None:
        """`ghosts`: appservice mode, where the customer's words are posted by their ghost."""
        self._outbox = outbox
        self._ghosts = ghosts
        self._keys = keys
        self._poster = poster
        self._pacer = pacer
        self._composer = composer
        self._redis = redis
        self._keys = keys
        self._errors = keys.platform_errors("matrix")
        self.slots = Slots(max_sending)
        self._sweep_seconds = sweep_seconds
        self._tasks: dict[Lane, asyncio.Task[None]] = {}
        self._wakes: dict[Lane, asyncio.Event] = {}
        self._reported: set[Lane] = set()
        """Lanes with a problem on /readyz, cleared when they send again."""
        self._active = False
        self.sent = 0

    @property
    def running(self) -> int:
        """Lane tasks alive now (idle lanes end theirs)."""
        return len(self._tasks)

    async def run(self) -> None:
        """Runs while this process leads: resumes every lane with queued posts, then serves wake-ups."""
        self._active = True
        failures = 0
        try:
            while True:
                try:
                    fields = text_list(await self._redis.hkeys(self._errors))
                    self._reported |= {Lane.parse(f.removeprefix("outbox:")) for f in fields if f.startswith("outbox:")}
                    for lane in await self._outbox.lanes():
                        self.wake(lane)
                    failures = 0
                except RedisError as exc:
                    failures += 1
                    log.warning("could not list the Matrix outboxes (%s); retrying", exc)
                await asyncio.sleep(_backoff(failures) if failures else self._sweep_seconds)
        finally:
            self._active = False
            tasks = list(self._tasks.values())
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._tasks.clear()
            self._wakes.clear()

    def wake(self, lane: Lane) -> None:
        if not self._active:
            return
        if lane in self._tasks:
            self._wakes[lane].set()
            return
        self._wakes[lane] = asyncio.Event()
        self._tasks[lane] = asyncio.create_task(self._drain(lane), name=f"matrix-outbox-{lane.member}")

    async def _drain(self, lane: Lane) -> None:
        wake = self._wakes[lane]
        failures = 0
        try:
            while True:
                stop_if_cancelled()
                try:
                    async with self.slots:
                        left = await self._send_next(lane, wake)
                    failures = 0
                    if lane in self._reported:
                        await self._redis.hdel(self._errors, f"outbox:{lane.member}")
                        self._reported.discard(lane)
                    if not left and not wake.is_set():
                        return
                except MatrixError as exc:
                    if exc.transient:
                        failures += 1
                        await asyncio.sleep(_backoff(failures))
                        continue
                    await self._hold(lane, f"posts to {lane.room_id} are refused ({exc.errcode})")
                except NeedsPerson as exc:
                    await self._hold(lane, f"posts to {lane.room_id} are refused ({exc.error})")
                except (*TRANSIENT_ERRORS, RedisError) as exc:
                    failures += 1
                    log.warning("outbox of %s: %s; retrying", lane.member, exc)
                    await asyncio.sleep(_backoff(failures))
                except Exception:
                    log.exception("a post to %s failed", lane.member)
                    await self._hold(lane, f"a post to {lane.room_id} fails (see the log)")
        finally:
            self._tasks.pop(lane, None)
            self._wakes.pop(lane, None)

    async def _send_next(self, lane: Lane, wake: asyncio.Event) -> int:
        """Sends the lane's next batch; returns how many posts are left (0 when it found none)."""
        await self._pacer.acquire()
        wake.clear()
        batch = await self._outbox.take(lane)
        if batch is None:
            return 0
        event_type, content = await self._composer.compose(batch)
        sender = batch.entries[0].sender if self._ghosts is not None else ""
        if sender and self._ghosts is not None:
            await self._ghosts.ensure(lane.room_id, sender, batch.entries[0].label)
        try:
            event_id = await self._poster.send(lane.room_id, content, batch.tx_id, event_type, paced=False,
                                               as_user=sender, maybe_sent=batch.resumed)
        except MatrixError as exc:
            if not (sender and self._ghosts is not None and exc.errcode == "M_FORBIDDEN"):
                raise
            # Seen under load: Synapse refused a ghost's post as "not in room" right after its join. Join again.
            await self._ghosts.forget(lane.room_id, sender)
            await self._ghosts.ensure(lane.room_id, sender, batch.entries[0].label)
            event_id = await self._poster.send(lane.room_id, content, batch.tx_id, event_type, paced=False,
                                               as_user=sender, maybe_sent=True)
        left = await self._outbox.done(batch, event_id)
        await remember_post(self._redis, self._keys, lane.room_id, event_id, batch.entries, sender)
        self.sent += 1
        return left

    async def _hold(self, lane: Lane, problem: str) -> None:
        """Reports a post that can't go and waits before trying it again; its lane keeps it (and its order)."""
        log.error("%s; it waits in the outbox of %s", problem, lane.member)
        try:
            await self._redis.hset(self._errors, f"outbox:{lane.member}", f"{problem}; they wait in the outbox")
        except RedisError:
            pass
        self._reported.add(lane)
        await asyncio.sleep(REFUSED_RETRY_SECONDS)


def _backoff(failures: int) -> float:
    return BACKOFF[min(failures - 1, len(BACKOFF) - 1)]
