"""Throughput with 1, 2 and 4 serve processes (each with an RQ worker) against one Redis: customers are
spread over the processes' ports, CSR requests too, and every chat floods its thread as in the load run
(one message in flight per chat). Slack only: the Matrix sync loop runs in one process by design.
"""

from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench.load.config import CHANNELS, SIGNING_SECRET, SLACK_QUEUE, slack_user
from bench.load.procs import Meter, Usage
from bench.load.results import Counts, PlatformRun
from bench.load.run import watched
from bench.load.scenario import Size, count, escalate_all, flood, open_chats
from bench.load.signing import SignedSlack
from bench.load.slack_desk import SlackDesk
from bench.load.tracking import Arrivals
from bench.load.world import World, start_world, stop_world


@dataclass
class ProcessRun:
    processes: int
    messages: int
    seconds: float
    counts: Counts
    usage: dict[str, Usage] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    def cores(self, prefix: str) -> float:
        return sum(u.cores for name, u in self.usage.items() if name.startswith(prefix))


async def run_processes(tmp: Path, counts: tuple[int, ...], customers: int, csrs: int,
                        messages: int) -> list[ProcessRun]:
    world = await start_world(tmp, 0)
    try:
        return [await _one(world, n, customers, csrs, messages) for n in counts]
    finally:
        await stop_world(world)


async def _one(world: World, processes: int, customers: int, csrs: int, messages: int) -> ProcessRun:
    await world.flush_redis()
    await world.start_bridges(processes, csrs, min(50, -(-customers // csrs) + 1))
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            sender = SignedSlack(session, SIGNING_SECRET, world.hooks_url)
            desk = SlackDesk(world.slack, sender, [f"{u}/slack/events" for u in world.urls],
                             [slack_user(i) for i in range(csrs)])
            desk.start()
            try:
                await desk.available(CHANNELS[SLACK_QUEUE])
                size = Size(customers, 0, messages, first_index=processes * 1_000_000)
                run = PlatformRun("slack", customers, csrs)
                inbox = Arrivals()
                chats = await open_chats(world.urls, "slack", size, session, inbox)
                await escalate_all(run, chats, desk, size)
                meter = Meter(watched(world)).start()
                await flood(run, chats, desk, size)
                usage = await meter.stop()
                count(run, chats, desk, inbox, size)
                for c in chats:
                    await c.disconnect()
            finally:
                await desk.stop()
        return ProcessRun(processes, run.flood_messages, run.flood_seconds, run.to_thread, usage)
    finally:
        await world.stop_bridges()
