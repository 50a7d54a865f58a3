"""The load run end to end: start the world and one serve process, run Slack then Matrix (bot mode), then
Matrix again with the bridge in appservice mode on a fresh Redis, stop it all."""

import argparse
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bench.load.config import CHANNELS, MATRIX_QUEUE, SIGNING_SECRET, SLACK_QUEUE, slack_user
from bench.load.homeserver import AS_BOT
from bench.load.matrix_desk import MatrixDesk
from bench.load.results import PlatformRun
from bench.load.run import run_platform
from bench.load.scenario import Size
from bench.load.signing import SignedSlack
from bench.load.slack_desk import SlackDesk
from bench.load.world import World, start_world, stop_world


@dataclass
class LoadPlan:
    slack_customers: int = 100
    slack_csrs: int = 10
    matrix_customers: int = 20
    matrix_csrs: int = 4
    rounds: int = 4
    flood: int = 20
    appservice: bool = True
    """Also run the Matrix scenario with the bridge in appservice mode (after bot mode, on a fresh Redis)."""
    keep: Path | None = None
    """Keep the logs and configs here instead of a temporary folder."""
    serve_processes: int = 1
    """`[server] processes` of the one serve command (its CPU is counted with its other processes')."""


def add_arguments(parser: argparse.ArgumentParser, plan: LoadPlan) -> None:
    parser.add_argument("--customers", type=int, default=plan.slack_customers, help="Slack customers (chats)")
    parser.add_argument("--csrs", type=int, default=plan.slack_csrs, help="Slack CSRs")
    parser.add_argument("--matrix-customers", type=int, default=plan.matrix_customers, help="0 skips Matrix")
    parser.add_argument("--matrix-csrs", type=int, default=plan.matrix_csrs)
    parser.add_argument("--rounds", type=int, default=plan.rounds, help="conversation rounds per chat")
    parser.add_argument("--flood", type=int, default=plan.flood, help="flood messages per chat")
    parser.add_argument("--no-appservice", action="store_true", help="skip the Matrix run in appservice mode")
    parser.add_argument("--keep", type=Path, default=None, help="keep logs and configs in this folder")
    parser.add_argument("--serve-processes", type=int, default=plan.serve_processes,
                        help="[server] processes of the serve under load (default %(default)s)")


def plan_from(args: argparse.Namespace) -> LoadPlan:
    return LoadPlan(args.customers, args.csrs, args.matrix_customers, args.matrix_csrs if args.matrix_customers else 0,
                    args.rounds, args.flood, not args.no_appservice, args.keep, args.serve_processes)


def capacity(customers: int, csrs: int) -> int:
    return min(50, max(2, -(-customers // max(csrs, 1)) + 1))


async def run_load(plan: LoadPlan) -> list[PlatformRun]:
    with tempfile.TemporaryDirectory(prefix="csr-bench-") as tmp:
        where = plan.keep or Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        world = await start_world(where, plan.matrix_csrs)
        try:
            cap = capacity(max(plan.slack_customers, plan.matrix_customers),
                           min(plan.slack_csrs, plan.matrix_csrs or plan.slack_csrs))
            await world.start_bridges(1, plan.slack_csrs, cap, tune=_processes(plan.serve_processes))
            runs = await _platforms(world, plan)
            if plan.appservice and plan.matrix_customers and world.hs is not None:
                logged = runs[0].logged if runs else {}
                await world.stop_bridges()
                await world.flush_redis()
                await world.start_bridges(1, plan.slack_csrs, cap, appservice=True,
                                          tune=_processes(plan.serve_processes))
                runs.append(await _appservice(world, plan))
                for run in runs:
                    run.logged = dict(Counter(logged) + world.bridge_errors())
            return runs
        finally:
            await stop_world(world)


def _processes(count: int) -> Callable[[dict[str, Any]], None]:
    def tune(raw: dict[str, Any]) -> None:
        raw["server"]["processes"] = count
    return tune


async def _appservice(world: World, plan: LoadPlan) -> PlatformRun:
    """The Matrix scenario again, the bridge in appservice mode: its bot and ghosts are not exempted from
    Synapse's message limit by hand, only by their registration."""
    assert world.hs is not None and world.hs.appservice is not None
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        desk = MatrixDesk(world.hs, set(world.hs.rooms.values()), AS_BOT, world.hs.appservice.ghost_prefix)
        await desk.start()
        try:
            await desk.available(world.hs.rooms[MATRIX_QUEUE])
            size = Size(plan.matrix_customers, plan.rounds, plan.flood, escalations_per_second=5,
                        first_index=200_000)
            run = await run_platform(world, "matrix", desk, plan.matrix_csrs, size, session)
            run.platform = "matrix appservice"
            run.errors += [f"Matrix sends refused ({desk.failures})"] if desk.failures else []
            return run
        finally:
            await desk.stop()


async def _platforms(world: World, plan: LoadPlan) -> list[PlatformRun]:
    runs = []
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        events = [f"{url}/slack/events" for url in world.urls]
        sender = SignedSlack(session, SIGNING_SECRET, world.hooks_url)
        if plan.slack_customers:
            desk = SlackDesk(world.slack, sender, events, [slack_user(i) for i in range(plan.slack_csrs)])
            desk.start()
            await desk.available(CHANNELS[SLACK_QUEUE])
            size = Size(plan.slack_customers, plan.rounds, plan.flood, escalations_per_second=20)
            run = await run_platform(world, "slack", desk, plan.slack_csrs, size, session)
            run.errors += [f"Slack request refused ({sender.failures})"] if sender.failures else []
            runs.append(run)
            await world.settle()
        if plan.matrix_customers and world.hs is not None:
            mdesk = MatrixDesk(world.hs, set(world.hs.rooms.values()))
            await mdesk.start()
            try:
                await mdesk.available(world.hs.rooms[MATRIX_QUEUE])
                size = Size(plan.matrix_customers, plan.rounds, plan.flood, escalations_per_second=5,
                            first_index=100_000)
                run = await run_platform(world, "matrix", mdesk, plan.matrix_csrs, size, session)
                run.errors += [f"Matrix sends refused ({mdesk.failures})"] if mdesk.failures else []
                runs.append(run)
            finally:
                await mdesk.stop()
    logged = dict(world.bridge_errors().most_common())
    for run in runs:
        run.logged = logged
    return runs
