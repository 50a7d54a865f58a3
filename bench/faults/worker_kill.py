"""(e) The RQ worker killed (SIGKILL to it and the job it forked) while an offer-timeout job runs, and
started again later: every offer whose deadline passed times out exactly once (one `missed`, one count
against the CSR), none stays pending, none times out twice. `serve` keeps running (its sweep fires
timers whose job was lost), and the restarted worker's late jobs find the offers already settled."""

import asyncio
import time
from collections import Counter
from pathlib import Path

import httpx
from redis import Redis as SyncRedis
from rq.registry import StartedJobRegistry

from bench.faults.customers import WidgetCustomer
from bench.faults.rig import CHANNEL, Rig, agents, slack_section, slack_sender
from bench.faults.slack_desk import SlackDesk
from bench.faults.tally import Tally
from testkit.fake_slack import FakeSlack

NAME = "e. kill -9 RQ worker mid-timeout"
SETTLED = 15.0
"""A lost job's timer is fired by serve's sweep 5 s after its deadline, checked every 5 s; plus a margin."""


async def run(workdir: Path, chats: int = 20, offer_timeout: float = 5.0, downtime: float = 60.0) -> list[Tally]:
    async with FakeSlack(channels=(CHANNEL,), post_rate=10_000, post_burst=10_000) as fake:
        csrs = max(2, chats // 2)
        rig = await Rig(workdir).start({**slack_section(fake), "agents": agents(csrs, 2),
                                        "queues": [{"name": "general", "display_name": "General",
                                                    "offer_timeout": offer_timeout}]})
        try:
            await rig.start_serve()
            await rig.start_worker()
            desk = SlackDesk(fake, slack_sender(rig, fake), rig.redis, rig.keys, [f"UCSR{i}" for i in range(csrs)])
            await desk.available()
            customers = [WidgetCustomer(rig.url, f"Customer {i}") for i in range(chats)]
            async with httpx.AsyncClient(base_url=rig.url, headers={"Origin": rig.url}, trust_env=False) as http:
                await asyncio.gather(*(c.start(http) for c in customers))
            running = await _first_running_timer(rig)
            await rig.kill_worker()
            await asyncio.sleep(downtime)
            await rig.start_worker()
            await asyncio.sleep(SETTLED)
            ended = time.time()
            tally = await _count(rig, ended - SETTLED)
        finally:
            await rig.stop()
    tally.notes.append(f"killed with {running} timer job(s) running, down {downtime:g} s, "
                       f"offer timeout {offer_timeout:g} s")
    return [tally]


async def _first_running_timer(rig: Rig, timeout: float = 60.0) -> int:
    """Waits until the worker runs an offer-timeout job (it starts just before the deadline and waits)."""
    sync = SyncRedis.from_url(rig.redis_server.url)
    registry = StartedJobRegistry(f"{rig.keys.prefix}-timers", connection=sync)
    try:
        async with asyncio.timeout(timeout):
            while not (running := await asyncio.to_thread(registry.get_job_ids)):
                await asyncio.sleep(0.02)
        return len(running)
    finally:
        sync.close()


async def _count(rig: Rig, due_before: float) -> Tally:
    """Offers due before `due_before` should each have timed out once."""
    tally = Tally(NAME, "offer -> one timeout", ordered=False)
    feed = await rig.redis.xrange(rig.keys.routing_events)
    offered = [f["offer"] for _, f in feed if f["kind"] == "offered"]
    missed = Counter(f["offer"] for _, f in feed if f["kind"] == "missed")
    counted_by_csrs = 0
    for offer_id in offered:
        offer = await rig.redis.hgetall(rig.keys.offer(offer_id))
        if float(offer.get("deadline", 0)) >= due_before:
            continue
        tally.sent += 1
        times = missed.get(offer_id, 0)
        tally.delivered += times >= 1
        tally.duplicated += max(0, times - 1)
        tally.lost += times == 0 and offer.get("state") == "pending"
    for agent_id in await rig.redis.smembers(rig.keys.agents):
        counted_by_csrs += int(await rig.redis.hget(rig.keys.agent(agent_id), "missed") or 0)
    tally.notes.append(f"{sum(missed.values())} timeouts recorded, {counted_by_csrs} counted against CSRs")
    return tally
