"""Runs the load scenario on one platform against a started world, then the bare-SDK baseline."""

import asyncio
import json
import os
import sys

import aiohttp

from bench.load.config import BOT_TOKEN, CHANNELS, MATRIX_QUEUE, SLACK_QUEUE
from bench.load.homeserver import BASELINE_BOT
from bench.load.procs import Meter, Usage
from bench.load.results import PlatformRun
from bench.load.scenario import Desk, Size, converse, count, escalate_all, flood, open_chats
from bench.load.tracking import Arrivals
from bench.load.world import World


def watched(world: World) -> dict[str, int]:
    """The processes whose CPU and memory a run reports."""
    pids = {c.name: c.pid for c in world.serves + world.workers}
    pids |= {"redis": world.redis_pid, "fake-slack": world.slack.pid, "bench": os.getpid()}
    if world.hs is not None and world.hs.synapse.process is not None:
        pids["synapse"] = world.hs.synapse.process.pid
    return {k: v for k, v in pids.items() if v}


async def run_platform(world: World, platform: str, desk: Desk, csrs: int, size: Size,
                       session: aiohttp.ClientSession) -> PlatformRun:
    run = PlatformRun(platform, size.customers, csrs)
    inbox = Arrivals()
    customers = await open_chats(world.urls, platform, size, session, inbox)
    meter = Meter(watched(world)).start()
    try:
        await escalate_all(run, customers, desk, size)
        await converse(run, customers, desk, inbox, size)
        flood_meter = Meter(watched(world)).start()
        try:
            await flood(run, customers, desk, size)
        finally:
            run.flood_usage = await flood_meter.stop()
    finally:
        run.usage = await meter.stop()
        count(run, customers, desk, inbox, size)
        await asyncio.gather(*(c.close() for c in customers))
    baseline, run.baseline_usage = await _baseline(world, platform, size.customers, size.flood)
    run.baseline_messages, run.baseline_seconds = baseline["messages"], baseline["seconds"]
    return run


async def _baseline(world: World, platform: str, chats: int, messages: int) -> tuple[dict, dict[str, Usage]]:
    if platform == "slack":
        args = ["slack", world.slack_api, BOT_TOKEN, CHANNELS[SLACK_QUEUE]]
    else:
        assert world.hs is not None
        args = ["matrix", world.hs.url, world.hs.user_id(BASELINE_BOT), world.hs.token(BASELINE_BOT),
                world.hs.rooms[MATRIX_QUEUE]]
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bench.load.baseline", *args, str(chats),
                                                str(messages), stdout=asyncio.subprocess.PIPE)
    pids = {k: v for k, v in watched(world).items() if k in ("fake-slack", "synapse")} | {"baseline": proc.pid}
    meter = Meter(pids).start()
    out, _ = await proc.communicate()
    usage = await meter.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"the {platform} baseline failed")
    result = json.loads(out.decode().strip().splitlines()[-1])
    usage["baseline"] = Usage(result["cpu_seconds"], result["seconds"], usage["baseline"].peak_rss)
    return result, usage
