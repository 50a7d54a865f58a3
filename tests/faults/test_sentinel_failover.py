"""A small run of `make faults` scenario f that must hold on every commit: the Redis primary of a Sentinel group
(real primary, replica and three sentinels) killed with SIGKILL mid-chat, with `[redis] wait_replicas = 1`:
serve and the RQ worker follow the promoted replica, and each message, both ways, arrives exactly once and in
order. Counts, not timings."""

from pathlib import Path

from bench.faults import sentinel_failover
from bench.faults.tally import table


async def test_a_failover_with_wait_loses_and_repeats_nothing(tmp_path: Path) -> None:
    tallies = await sentinel_failover.run(tmp_path, chats=4, messages=6, pause=0.05, quiet=60, appends=0, waits=(1,))
    assert tallies and all(t.exactly_once for t in tallies), "\n" + table(tallies)
