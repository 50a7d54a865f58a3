"""Memory per open chat: one serve process, N CSRs on Slack, M chats opened through the widget API,
escalated, accepted from the offer cards and given a thread, then a WebSocket for each customer.

Redis memory comes from INFO (used_memory); the bridge's from the serve process' RSS. Both are read
before the chats, once every chat has its thread, and again with every customer's socket open.
"""

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench.load.concurrency import bounded
from bench.load.config import CHANNELS, SIGNING_SECRET, SLACK_QUEUE, slack_user
from bench.load.customers import Customer
from bench.load.procs import rss
from bench.load.signing import SignedSlack
from bench.load.slack_desk import SlackDesk
from bench.load.tracking import Arrivals
from bench.load.world import World, start_world, stop_world
from bridge.bootstrap import connect_redis

SETTLE_SECONDS = 3.0
OPEN_TIMEOUT = 900.0


@dataclass
class Memory:
    redis: int
    rss: int


@dataclass
class MemoryRun:
    chats: int
    csrs: int
    empty: Memory
    active: Memory
    sockets: Memory
    open_seconds: float
    """From the first chat started to the last thread opened."""

    def per_chat(self, part: str) -> tuple[float, float]:
        """(Redis bytes, RSS bytes) per chat for 'active', or per socket on top for 'sockets'."""
        top, base = (self.active, self.empty) if part == "active" else (self.sockets, self.active)
        return (top.redis - base.redis) / self.chats, (top.rss - base.rss) / self.chats


async def measure(world: World) -> Memory:
    redis = connect_redis(world.redis.url)
    try:
        used = int((await redis.info("memory"))["used_memory"])
    finally:
        await redis.aclose()
    return Memory(used, rss(world.serves[0].pid))


async def run_memory(tmp: Path, chats: int, csrs: int) -> MemoryRun:
    world = await start_world(tmp, 0)
    try:
        await world.start_bridges(1, csrs, min(50, -(-chats // csrs) + 1))
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            sender = SignedSlack(session, SIGNING_SECRET, world.hooks_url)
            desk = SlackDesk(world.slack, sender, [f"{world.urls[0]}/slack/events"],
                             [slack_user(i) for i in range(csrs)])
            desk.start()
            await desk.available(CHANNELS[SLACK_QUEUE])
            await asyncio.sleep(SETTLE_SECONDS)
            empty = await measure(world)
            customers = [Customer(i, world.urls[0], "slack", session, Arrivals()) for i in range(chats)]
            start = time.perf_counter()
            await bounded(32, [_open(c, desk) for c in customers])
            open_seconds = time.perf_counter() - start
            await asyncio.sleep(SETTLE_SECONDS)
            active = await measure(world)
            await bounded(64, [c.connect() for c in customers])
            await asyncio.sleep(SETTLE_SECONDS)
            sockets = await measure(world)
            await bounded(256, [c.disconnect() for c in customers])
        return MemoryRun(chats, csrs, empty, active, sockets, open_seconds)
    finally:
        await stop_world(world)


async def _open(customer: Customer, desk: SlackDesk) -> None:
    await customer.start()
    await customer.escalate()
    await desk.thread_of(customer.chat_id, OPEN_TIMEOUT)
