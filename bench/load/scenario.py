"""One platform's load run: customers escalate, CSRs accept and talk with them, then a flood of customer
messages measures throughput, each phase timed at the bridge's edges.

Conversation: each chat alternates a customer message (timed until its post reaches the platform) and
the CSR's answer (timed until the customer's socket has it). Flood: every chat sends its next message
as soon as the previous one reached the thread, so each chat has one message in flight, the platform
adapters never merge two (their coalescing needs a backlog), and posts equal messages, as in the bare-SDK
baseline the ratio compares with.
"""

import asyncio
import time
from dataclasses import dataclass
from typing import Protocol

import aiohttp

from bench.load.concurrency import bounded
from bench.load.customers import Customer
from bench.load.results import PlatformRun, tally
from bench.load.threads import Thread
from bench.load.tracking import Arrivals, customer_token, reply_token

WAIT = 60.0
TEXT = "could you check where my order is? it was due last week"
ANSWER = "thanks for waiting, I can see your parcel at the depot; it goes out tomorrow"


class Desk(Protocol):
    threads_seen: Arrivals
    offers_at: dict[str, float]

    async def thread_of(self, chat_id: str, timeout: float) -> Thread: ...

    async def reply(self, chat_id: str, text: str, via: int = 0) -> bool: ...


@dataclass
class Size:
    customers: int
    rounds: int
    flood: int
    escalations_per_second: float = 50.0
    first_index: int = 0
    """Customer numbers start here, so tokens never repeat across runs on one bridge."""


async def open_chats(urls: list[str], topic: str, size: Size, session: aiohttp.ClientSession,
                     inbox: Arrivals) -> list[Customer]:
    customers = [Customer(size.first_index + i, urls[i % len(urls)], topic, session, inbox)
                 for i in range(size.customers)]
    await bounded(32, [c.start() for c in customers])
    await bounded(32, [c.connect() for c in customers])
    return customers


async def escalate_all(run: PlatformRun, customers: list[Customer], desk: Desk, size: Size,
                       wait: float = WAIT) -> None:
    sent: dict[str, float] = {}

    async def one(c: Customer, delay: float) -> None:
        await asyncio.sleep(delay)
        sent[c.chat_id] = await c.escalate()

    await asyncio.gather(*(one(c, i / size.escalations_per_second) for i, c in enumerate(customers)))
    await asyncio.gather(*(desk.thread_of(c.chat_id, wait) for c in customers))
    run.escalate_ms = [(desk.offers_at[c.chat_id] - sent[c.chat_id]) * 1000 for c in customers]


async def converse(run: PlatformRun, customers: list[Customer], desk: Desk, inbox: Arrivals, size: Size) -> None:
    async def chat(c: Customer, via: int) -> None:
        for seq in range(1, size.rounds + 1):
            sent = await c.say(seq, TEXT)
            try:
                arrived = await desk.threads_seen.wait(customer_token(c.index, seq), WAIT)
                run.to_thread_ms.append((arrived - sent) * 1000)
            except TimeoutError:
                continue
            sent = time.time()
            await desk.reply(c.chat_id, f"{reply_token(c.index, seq)} {ANSWER}", via)
            try:
                run.to_customer_ms.append((await inbox.wait(reply_token(c.index, seq), WAIT) - sent) * 1000)
            except TimeoutError:
                continue

    start = time.time()
    await asyncio.gather(*(chat(c, i) for i, c in enumerate(customers)))
    run.conversation_seconds = time.time() - start
    run.conversation_messages = 2 * len(customers) * size.rounds


async def flood(run: PlatformRun, customers: list[Customer], desk: Desk, size: Size) -> None:
    last: list[float] = []

    async def chat(c: Customer) -> None:
        for seq in range(size.rounds + 1, size.rounds + size.flood + 1):
            await c.say(seq, TEXT)
            try:
                last.append(await desk.threads_seen.wait(customer_token(c.index, seq), WAIT))
            except TimeoutError:
                continue

    start = time.time()
    await asyncio.gather(*(chat(c) for c in customers))
    run.flood_seconds = (max(last) if last else time.time()) - start
    run.flood_messages = len(customers) * size.flood


def count(run: PlatformRun, customers: list[Customer], desk: Desk, inbox: Arrivals, size: Size) -> None:
    """Every customer message once in its thread, every answer once on the customer's socket, no echoes."""
    said = [customer_token(c.index, s) for c in customers for s in range(size.rounds + size.flood + 1)]
    answered = [reply_token(c.index, s) for c in customers for s in range(1, size.rounds + 1)]
    run.to_thread = tally(desk.threads_seen.seen, said)
    run.to_customer = tally(inbox.seen, answered)
    run.to_thread.echoed = sum(len(desk.threads_seen.seen.get(t, ())) for t in answered)
    run.merged_posts = desk.threads_seen.merged_posts
    run.errors += [e for c in customers for e in c.errors]
