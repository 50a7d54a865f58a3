"""Dashboards refresh on change, at most every `reports.dashboard_seconds`: a burst of changes gives
one refresh at once and one for the rest, and each refresh is claimed by one process only."""

import asyncio
from pathlib import Path

from redis.asyncio import Redis

from reports.dashboard import claim
from tests.supervision.helpers import boot


async def test_a_burst_of_changes_gives_two_refreshes(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    apps = [boot(tmp_path, redis, redis_url, reports={"dashboard_seconds": 1.0}) for _ in range(2)]
    seen: list[str] = []
    second = asyncio.Event()

    async def on_dashboard(seq: str) -> None:
        seen.append(seq)
        if len(seen) == 2:
            second.set()

    apps[0].feed.subscribe("dashboard", on_dashboard)
    stop = asyncio.Event()
    feeds = [asyncio.create_task(a.feed.run(stop)) for a in apps]
    await asyncio.sleep(0.2)
    for n in range(20):
        await apps[n % 2].feed.publish("chat", f"c{n}")
    await asyncio.wait_for(second.wait(), 10)
    await asyncio.sleep(1.5)
    stop.set()
    await asyncio.gather(*feeds)
    assert seen == ["1", "2"]
    assert [await claim(redis, apps[0].keys.dashboard_claim("slack", "2")) for _ in range(2)] == [True, False]
