"""Customers writing on a Poisson schedule, and CSRs answering each message after a short think time.

Each customer's gaps are exponential with the given mean, from a generator seeded by its place in the pool:
the same customers write at the same moments in every trial (common random numbers), so a trial with more chats
adds load to a smaller one's instead of drawing a new sample, and a run repeats.
CSRs answer in the chat's thread as a person does (on Slack a signed message event, on Matrix their own send),
so their words don't use the bot's allowance, but they travel to the customer and are counted.
"""

import asyncio
import random
import time
from dataclasses import dataclass, field

from bench.load.customers import Customer
from bench.load.scenario import ANSWER, TEXT, Desk
from bench.load.tracking import Arrivals, customer_token, reply_token

THINK_SECONDS = 2.0
DRAIN_SECONDS = 60.0
"""How long a message may take to arrive before it counts as lost."""


@dataclass
class Said:
    token: str
    chat_id: str
    sent: float


@dataclass
class Traffic:
    """One trial's messages: every customer message with its send time, every CSR answer's token."""

    said: list[Said] = field(default_factory=list)
    answered: list[str] = field(default_factory=list)
    _answers: list[asyncio.Task[None]] = field(default_factory=list)


async def converse(customers: list[Customer], desk: Desk, inbox: Arrivals, seqs: dict[int, int], seconds: float,
                   mean_interval: float, seed: str) -> Traffic:
    """Runs the customers for `seconds`, then waits until every message and answer has arrived (or timed out)."""
    traffic = Traffic()
    end = time.time() + seconds

    async def answer(c: Customer, seq: int) -> None:
        try:
            await desk.threads_seen.wait(customer_token(c.index, seq), DRAIN_SECONDS)
        except TimeoutError:
            return
        await asyncio.sleep(THINK_SECONDS)
        token = reply_token(c.index, seq)
        traffic.answered.append(token)
        await desk.reply(c.chat_id, f"{token} {ANSWER}")
        try:
            await inbox.wait(token, DRAIN_SECONDS)
        except TimeoutError:
            return

    async def customer(place: int, c: Customer) -> None:
        rng = random.Random(f"{seed}:{place}")
        while (gap := rng.expovariate(1 / mean_interval)) < end - time.time():
            await asyncio.sleep(gap)
            seq = seqs[c.index] = seqs.get(c.index, 0) + 1
            sent = await c.say(seq, TEXT)
            traffic.said.append(Said(customer_token(c.index, seq), c.chat_id, sent))
            traffic._answers.append(asyncio.create_task(answer(c, seq)))

    await asyncio.gather(*(customer(place, c) for place, c in enumerate(customers)))
    await asyncio.sleep(max(0.0, end - time.time()))
    await asyncio.gather(*traffic._answers)
    return traffic
