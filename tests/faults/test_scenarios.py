"""Small runs of the `make faults` scenarios that must hold on every commit: `serve` killed with SIGKILL and
restarted, Redis killed and restarted from its append-only file, the RQ worker killed while an offer
timeout runs. Real processes (serve, worker, redis-server) and the fake Slack; each message, both ways,
arrives exactly once and in order, and each offer times out exactly once. Counts, not timings."""

from pathlib import Path

from bench.faults import redis_restart, serve_kill, worker_kill
from bench.faults.tally import Tally, table


def _exactly_once(tallies: list[Tally]) -> None:
    assert tallies and all(t.exactly_once for t in tallies), "\n" + table(tallies)


async def test_serve_killed_mid_chat_loses_and_repeats_nothing(tmp_path: Path) -> None:
    _exactly_once(await serve_kill.run(tmp_path, chats=4, messages=6, pause=0.05, downtime=0.5, quiet=60))


async def test_redis_killed_mid_chat_loses_and_repeats_nothing(tmp_path: Path) -> None:
    _exactly_once(await redis_restart.run(tmp_path, chats=4, messages=6, pause=0.05, downtime=0.5, quiet=60))


async def test_a_killed_worker_leaves_each_offer_to_time_out_once(tmp_path: Path) -> None:
    _exactly_once(await worker_kill.run(tmp_path, chats=4, offer_timeout=1, downtime=2))
