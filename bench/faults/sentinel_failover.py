"""(f) Redis under Sentinel: the primary killed (SIGKILL) in the middle of busy chats; the sentinels promote the
replica and `serve` and the RQ worker follow it without a restart; the killed node comes back as a replica.

Run twice, with `[redis] wait_replicas` 0 and 1: asynchronous replication may lose the primary's last writes,
which WAIT closes (a sender is told "stored" only once the replica has it). Also prints what WAIT costs per
append, measured against the same group with both settings.
"""

import asyncio
import time
from datetime import timedelta
from pathlib import Path

from rq import Queue
from rq.job import JobStatus

from bench.faults.rig import CHANNEL, Rig
from bench.faults.tally import Tally
from bench.faults.traffic import busy_slack_chats
from bridge.domain.events import Author, AuthorKind, ChatEvent, EventKind
from bridge.events.replicas import ReplicaWait
from bridge.events.stream import ChatStream
from bridge.redis_connect import connect_sync
from testkit.fake_slack import FakeSlack

NAME = "f. Sentinel primary kill -9"
RQ_TIMEOUT = 60.0


async def run(workdir: Path, chats: int = 100, messages: int = 10, pause: float = 0.2, quiet: float = 40.0,
              appends: int = 2000, waits: tuple[int, ...] = (0, 1)) -> list[Tally]:
    tallies: list[Tally] = []
    for wait in waits:
        tallies += await _one(workdir / f"wait{wait}", wait, chats, messages, pause, quiet, appends)
    return tallies


async def _one(workdir: Path, wait: int, chats: int, messages: int, pause: float, quiet: float,
               appends: int) -> list[Tally]:
    name = f"{NAME}, WAIT {wait}"
    async with (FakeSlack(channels=(CHANNEL,), post_rate=10_000, post_burst=10_000) as fake,
                busy_slack_chats(workdir, fake, chats, messages, pause, sentinel_wait=wait, worker=True) as talk):
        rig = talk.rig
        assert rig.group is not None
        cost = await wait_cost(rig, appends) if wait and appends else ""
        failover: dict[str, float] = {}

        async def outage() -> None:
            assert rig.group is not None
            old = await asyncio.to_thread(rig.group.primary_port)
            began = time.monotonic()
            node = await asyncio.to_thread(rig.group.kill_primary)
            await asyncio.to_thread(rig.group.wait_failover, old)
            failover["promoted"] = time.monotonic() - began
            await asyncio.to_thread(rig.group.rejoin, node)
            failover["rejoined"] = time.monotonic() - began

        caught_up = await talk.through_fault(0.5, outage, quiet)
        to_thread, to_customer = await talk.tallies(name)
        rq_ran = await timer_runs_after_failover(rig)
    to_thread.notes.append(f"replica promoted in {failover.get('promoted', 0):.1f} s, old primary back as replica "
                           f"in {failover.get('rejoined', 0):.1f} s, "
                           + (f"all in {caught_up:.0f} s after" if caught_up is not None else "incomplete"))
    to_customer.notes.append(f"{sum(c.drops for c in talk.customers)} socket drops, "
                             f"{talk.desk.retried_events} Slack redeliveries; RQ timer after failover "
                             + ("ran" if rq_ran else "DID NOT RUN"))
    if cost:
        to_customer.notes.append(cost)
    if not rq_ran:
        to_thread.lost += 1  # a timer the worker never ran is a loss too
    return [to_thread, to_customer]


async def timer_runs_after_failover(rig: Rig) -> bool:
    """A job queued for one second later, on the new primary, is run by the worker that started before the
    failover (its scheduler moves it to the queue, the worker runs it)."""
    queue = Queue(f"{rig.keys.prefix}-timers", connection=connect_sync(rig.endpoint))
    job = await asyncio.to_thread(lambda: queue.enqueue_in(timedelta(seconds=1), "time.time"))
    deadline = time.monotonic() + RQ_TIMEOUT
    while time.monotonic() < deadline:
        if await asyncio.to_thread(job.get_status, True) == JobStatus.FINISHED:
            return True
        await asyncio.sleep(0.2)
    return False


async def wait_cost(rig: Rig, appends: int, rounds: int = 3) -> str:
    """Microseconds per append (100 chats appending at once) with WAIT 1 against none, on this group, before
    the traffic starts: a warm-up, then the two settings taking turns, the best round of each counted."""
    per_chat = max(1, appends // 100)
    best = {0: float("inf"), 1: float("inf")}
    await _round(rig, 0, "warm", per_chat)
    for r in range(rounds):
        for wait in (0, 1):
            best[wait] = min(best[wait], await _round(rig, wait, f"r{r}", per_chat))
    return (f"append {best[0]:.0f} us without WAIT, {best[1]:.0f} us with WAIT 1 "
            f"(100 chats at once): x{best[1] / best[0]:.2f} per message")


async def _round(rig: Rig, wait: int, tag: str, per_chat: int) -> float:
    stream = ChatStream(rig.redis, rig.keys, ReplicaWait(wait))
    started = time.perf_counter()
    await asyncio.gather(*(_append(stream, f"cost-{tag}-{wait}-{c}", per_chat) for c in range(100)))
    return (time.perf_counter() - started) / (per_chat * 100) * 1e6


async def _append(stream: ChatStream, chat_id: str, count: int) -> None:
    author = Author(kind=AuthorKind.CUSTOMER, id="c", name="c")
    for n in range(count):
        await stream.append(ChatEvent(chat_id=chat_id, kind=EventKind.MESSAGE, ts=time.time(), author=author,
                                      text=f"m{n}", client_msg_id=f"{chat_id}-{n}"))
