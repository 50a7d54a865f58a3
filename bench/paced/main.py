"""The paced run end to end: one world (Redis, the fake Slack at Slack's pace, Synapse with the bot at its
default `rc_message`); for each channel count a fresh bridge and Redis and a capacity search on the Slack
queue; then the same search on the Matrix queue in bot mode."""

import argparse
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from bench.load.config import CHANNELS, MATRIX_QUEUE, SIGNING_SECRET, SLACK_QUEUE, slack_user
from bench.load.homeserver import BOT, BenchHomeserver
from bench.load.matrix_desk import MatrixDesk
from bench.load.signing import SignedSlack
from bench.load.slack_desk import SlackDesk
from bench.load.world import World, start_world, stop_world
from bench.paced.config import EXTRA_CHANNELS, EXTRA_ROOMS, SLACK_BURST, SLACK_RATE, SYNAPSE_RATE, paced
from bench.paced.report import Capacity, opening_line, trial_line
from bench.paced.search import STEP, best, capacity
from bench.paced.trial import Limit, PacedDesk, Pool, Timing, Trial, run_trial

SLACK_CSRS, MATRIX_CSRS, CSR_CAPACITY = 10, 2, 50


@dataclass
class PacedPlan:
    channels: tuple[int, ...] = (1, 2, 4)
    mean_interval: float = 15.0
    warmup: float = 5.0
    """Customers' Poisson arrivals are stationary from the start; this lets the channels' queues fill."""
    window: float = 60.0
    trials: int = 3
    matrix_rooms: tuple[int, ...] = (1,)
    matrix_trials: int = 2
    matrix_warmup: float = 15.0
    """The bot's bucket (10 posts, 5 s each to refill) takes longer than a Slack channel's to settle."""
    keep: Path | None = None


QUICK = PacedPlan(mean_interval=5.0, warmup=5.0, window=20.0, trials=1, matrix_trials=1, matrix_warmup=5.0)
"""A smoke run of the machinery: customers write 3x as often, so a third of the chats fill a channel and
opening them (about 8 posts each in the channel) takes a third of the time."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true", help="a smoke run: short windows, fewer trials, "
                        "customers writing every 5 s")
    parser.add_argument("--mean-interval", type=float, default=None, help="mean seconds between a customer's "
                        "messages (Poisson; default 15, 5 with --quick)")
    parser.add_argument("--channels", default="1,2,4", help="Slack channels per queue to compare")
    parser.add_argument("--matrix-rooms", default="1", help="Matrix rooms for the queue to compare (e.g. 1,2)")
    parser.add_argument("--matrix-trials", type=int, default=None, help="trials per room count; 0 skips Matrix")
    parser.add_argument("--keep", type=Path, default=None, help="keep logs and configs in this folder")


def plan_from(args: argparse.Namespace) -> PacedPlan:
    plan = QUICK if args.quick else PacedPlan()
    return replace(plan, channels=tuple(int(n) for n in args.channels.split(",") if n),
                   mean_interval=args.mean_interval or plan.mean_interval,
                   matrix_rooms=tuple(int(n) for n in args.matrix_rooms.split(",") if n),
                   matrix_trials=plan.matrix_trials if args.matrix_trials is None else args.matrix_trials,
                   keep=args.keep)


async def run_paced(plan: PacedPlan, report: Callable[[str], None] = print) -> list[Capacity]:
    with tempfile.TemporaryDirectory(prefix="csr-paced-") as tmp:
        where = plan.keep or Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        world = await start_world(where, MATRIX_CSRS if plan.matrix_trials else 0, EXTRA_CHANNELS,
                                  (SLACK_RATE, SLACK_BURST), exempt_bot=False, extra_rooms=EXTRA_ROOMS)
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
                runs = await _slack(world, plan, session, report)
                if plan.matrix_trials and world.hs is not None:
                    try:
                        runs += await _matrix(world, plan, session, report)
                    except (TimeoutError, RuntimeError) as exc:  # the Slack figures still get their table
                        report(f"the Matrix part stopped: {exc!r}; see {where}")
                return runs
        finally:
            await stop_world(world)


async def _slack(world: World, plan: PacedPlan, session: aiohttp.ClientSession,
                 report: Callable[[str], None]) -> list[Capacity]:
    feed: list[dict[str, Any]] = []
    desk = SlackDesk(world.slack, SignedSlack(session, SIGNING_SECRET, world.hooks_url), [],
                     [slack_user(i) for i in range(SLACK_CSRS)], feed=feed)
    desk.start()
    limit = Limit(SLACK_RATE, lambda channel: channel)
    timing = Timing(plan.warmup, plan.window, plan.mean_interval)
    runs: list[Capacity] = []
    one: Trial | None = None
    try:
        for k, channels in enumerate(plan.channels):
            await _fresh_bridge(world, channels)
            desk.events_urls = [f"{url}/slack/events" for url in world.urls]
            await desk.available(CHANNELS[SLACK_QUEUE])
            pool = Pool(world.urls, "slack", desk, session, (k + 1) * 100_000, escalations_per_second=5,
                        quiet_seconds=6.0, keep=plan.keep)
            run = Capacity("slack", channels)
            start = round(channels * (one.chats if one else 0.9 * plan.mean_interval * SLACK_RATE))
            await pool.grow(math.ceil(start * STEP))
            run.trials = await capacity(_measure(pool, timing, limit, run, report), start, plan.trials)
            await pool.close()
            one = one or best(run.trials)
            runs.append(run)
    finally:
        await desk.stop()
    return runs


async def _matrix(world: World, plan: PacedPlan, session: aiohttp.ClientSession,
                  report: Callable[[str], None]) -> list[Capacity]:
    hs = world.hs
    assert hs is not None
    desk = MatrixDesk(hs, set(hs.rooms.values()), feed=[])
    await desk.start()
    limit = Limit(SYNAPSE_RATE, lambda room: "bot")
    timing = Timing(plan.matrix_warmup, plan.window, plan.mean_interval)
    runs: list[Capacity] = []
    try:
        for k, rooms in enumerate(plan.matrix_rooms):
            await _fresh_bridge(world, 1, [hs.rooms[q] for q in (MATRIX_QUEUE, *EXTRA_ROOMS)][:rooms])
            await desk.available(hs.rooms[MATRIX_QUEUE])
            pool = Pool(world.urls, "matrix", desk, session, 900_000 + k * 10_000, escalations_per_second=1,
                        quiet_seconds=12.0, keep=plan.keep, refusals=lambda: _refused_by_synapse(hs),
                        last_post=lambda: _last_send(hs), sends=lambda: len(_sends(hs)))
            run = Capacity("matrix", rooms)
            start = max(1, round(0.7 * plan.mean_interval * SYNAPSE_RATE))
            await pool.grow(math.ceil(start * STEP))
            run.trials = await capacity(_measure(pool, timing, limit, run, report), start, plan.matrix_trials)
            run.openings = pool.openings
            await pool.close()
            runs.append(run)
    finally:
        await desk.stop()
    return runs


def _bot_requests(hs: BenchHomeserver) -> list[str]:
    """The bot's requests in Synapse's access log."""
    bot = f"{{{hs.user_id(BOT)}}}"
    with (hs.synapse.workdir / "homeserver.log").open(errors="replace") as lines:
        return [line for line in lines if bot in line]


def _refused_by_synapse(hs: BenchHomeserver) -> int:
    """The bot's requests Synapse answered 429 (M_LIMIT_EXCEEDED)."""
    return sum(1 for line in _bot_requests(hs) if " 429 " in line)


def _sends(hs: BenchHomeserver) -> list[str]:
    """The bot's events Synapse took, in any room."""
    return [line for line in _bot_requests(hs) if " 200 " in line and "/send/" in line]


def _last_send(hs: BenchHomeserver) -> float:
    """When Synapse last took an event from the bot (its log's clock is UTC), in any room."""
    sends = _sends(hs)
    if not sends:
        return 0.0
    stamp = datetime.strptime(sends[-1][:23], "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=UTC)
    return stamp.timestamp()


def _measure(pool: Pool, timing: Timing, limit: Limit, run: Capacity, report: Callable[[str], None]) -> Any:
    reported = 0

    async def measure(chats: int) -> Trial:
        nonlocal reported
        trial = await run_trial(pool, chats, timing, limit, seed=run.platform, name=f"{run.label}:{chats}")
        for opening in pool.openings[reported:]:  # the chats opened before this trial (the first: before the search)
            report(opening_line(run.label, opening))
        reported = len(pool.openings)
        report(trial_line(run.label, trial))
        return trial
    return measure


async def _fresh_bridge(world: World, channels: int, rooms: list[str] | None = None) -> None:
    """A bridge whose Slack queue has `channels` channels and Matrix queue `rooms`, on an empty Redis (no chats
    left from the last)."""
    await world.stop_bridges()
    await world.flush_redis()
    await world.start_bridges(1, SLACK_CSRS, CSR_CAPACITY, tune=paced(channels, rooms or []))


__all__ = ["PacedDesk", "PacedPlan", "add_arguments", "plan_from", "run_paced"]
