"""Busy chats on Slack: each customer and their CSR talk at once, and afterwards every message is looked
for where it should have arrived (the customer's words in the thread, the CSR's on the customer's socket)."""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.faults.customers import WidgetCustomer, close_all
from bench.faults.rig import Rig, agents, slack_section, slack_sender
from bench.faults.slack_desk import SlackDesk
from bench.faults.tally import Tally
from testkit.fake_slack import FakeSlack

GRACE = 3.0
"""Once everything has arrived, how long to keep looking for late repeats."""


@dataclass
class Conversations:
    rig: Rig
    desk: SlackDesk
    chats: int
    messages: int
    pause: float
    hosts: list[str] = field(default_factory=list)
    """Where customers connect, taking turns (empty: the rig's one serve)."""
    customers: list[WidgetCustomer] = field(default_factory=list)
    said: int = 0
    replied: int = 0
    _sockets: list[asyncio.Task[None]] = field(default_factory=list)

    async def open(self) -> None:
        """Customers start and escalate; the CSRs accept every chat."""
        hosts = self.hosts or [self.rig.url]
        self.customers = [WidgetCustomer(hosts[i % len(hosts)], f"Customer {i}") for i in range(self.chats)]
        for host in hosts:
            async with httpx.AsyncClient(base_url=host, headers={"Origin": host}, timeout=10, trust_env=False) as http:
                await asyncio.gather(*(c.start(http) for c in self.customers if c.base_url == host))
        self._sockets = [asyncio.create_task(c.keep_connected()) for c in self.customers]
        await self.desk.accept_all([c.chat_id for c in self.customers])
        await asyncio.gather(*(self.desk.thread_of(c.chat_id) for c in self.customers))

    def progress(self) -> float:
        """Share of all messages (both ways) acknowledged so far."""
        return (self.said + self.replied) / (2 * self.chats * self.messages)

    async def talk(self) -> None:
        await asyncio.gather(*(self._customer(i, c) for i, c in enumerate(self.customers)),
                             *(self._csr(i, c) for i, c in enumerate(self.customers)))

    async def _customer(self, i: int, customer: WidgetCustomer) -> None:
        for n in range(self.messages):
            await customer.say(f"c{i}-{n}", f"m{n}")
            self.said += 1
            await asyncio.sleep(self.pause)

    async def _csr(self, i: int, customer: WidgetCustomer) -> None:
        for n in range(self.messages):
            await self.desk.reply(customer.chat_id, f"a{i}-{n}")
            self.replied += 1
            await asyncio.sleep(self.pause)

    async def when(self, share: float) -> None:
        while self.progress() < share:
            await asyncio.sleep(0.05)

    async def tallies(self, scenario: str) -> tuple[Tally, Tally]:
        to_thread, to_customer = Tally(scenario, "customer -> thread"), Tally(scenario, "CSR -> customer")
        for i, customer in enumerate(self.customers):
            _, root, _ = await self.desk.thread_of(customer.chat_id)
            to_thread.add_chat([f"c{i}-{n}" for n in range(self.messages)], self.desk.customer_lines(root))
            to_customer.add_chat([f"a{i}-{n}" for n in range(self.messages)], customer.csr_texts())
        return to_thread, to_customer

    async def settle(self, since: float, quiet: float, limit: float) -> float | None:
        """Waits until everything arrived (and a little longer, for late repeats), or nothing moved for `quiet` s.

        Returns the seconds from `since` (a monotonic time, e.g. the restart) until all had arrived, if they did.
        """
        last, changed, started, complete = None, time.monotonic(), time.monotonic(), None
        while time.monotonic() - started < limit:
            a, b = await self.tallies("")
            now = (a.delivered, a.duplicated, b.delivered, b.duplicated)
            if now != last:
                last, changed = now, time.monotonic()
            if a.lost == b.lost == 0:
                complete = complete or changed
                if time.monotonic() - changed > GRACE:
                    break
            elif time.monotonic() - changed > quiet:
                break
            await asyncio.sleep(0.2)
        return complete - since if complete is not None else None

    async def through_fault(self, at: float, fault: Callable[[], Awaitable[None]], quiet: float) -> float | None:
        """Runs the talk with `fault` once `at` of it is done, then `settle`s from the fault's end (or from 0.0
        when the talk finished first): seconds from then until all had arrived, if they did."""
        ended = 0.0
        talk = asyncio.create_task(self.talk())
        reached = asyncio.create_task(self.when(at))
        done, _ = await asyncio.wait({talk, reached}, return_when=asyncio.FIRST_COMPLETED)
        if reached in done:
            await fault()
            ended = time.monotonic()
        else:
            reached.cancel()
        await talk
        return await self.settle(ended, quiet, limit=quiet * 4)

    async def close(self) -> None:
        await close_all(self._sockets)


@asynccontextmanager
async def busy_slack_chats(workdir: Path, fake: FakeSlack, chats: int, messages: int, pause: float,
                           appendonly: bool = False, sentinel_wait: int | None = None,
                           worker: bool = False) -> AsyncIterator[Conversations]:
    """A rig with serve (and with `worker` an RQ worker) running, a CSR on Slack for every 10 chats, and the chats
    open and accepted. `sentinel_wait`: see `Rig`."""
    csrs = max(1, (chats + 9) // 10)
    rig = await Rig(workdir, appendonly=appendonly, sentinel_wait=sentinel_wait).start(
        {**slack_section(fake), "agents": agents(csrs, 10)})
    try:
        await rig.start_serve()
        if worker:
            await rig.start_worker()
        desk = SlackDesk(fake, slack_sender(rig, fake), rig.redis, rig.keys, [f"UCSR{i}" for i in range(csrs)])
        await desk.available()
        talk = Conversations(rig, desk, chats, messages, pause)
        await talk.open()
        yield talk
        await talk.close()
    finally:
        await rig.stop()
