"""`python -m bench.reports`: how long a 30-day report takes to build as the archive grows.

Synthetic closed chats (queued, offered, declined or accepted, a few messages, closed, rated) are written
to a fresh SQLite store; the report job's steps are then timed: reading the archive (and the routing feed
of a private redis-server), the figures, the chart and the CSV. Figures are compared to the smallest
size in the same run, so the ratio shows how the cost grows.
"""

import argparse
import asyncio
import random
import tempfile
import time
from pathlib import Path

from bench.machine import describe
from bridge.bootstrap import bootstrap, connect_redis
from bridge.config import parse_config
from bridge.domain.chat import Chat, ChatState, Customer
from bridge.domain.events import Author, AuthorKind, ChatEvent, EventKind
from bridge.embedded_redis import EmbeddedRedis
from reports.chart import render_chart
from reports.feed import RoutingFeed
from reports.figures import build_report
from reports.period import period
from reports.sources import HistorySources
from reports.table import as_csv, as_table
from testkit.configs import base_raw

AGENTS = ("alice", "bob", "carol")


def synthetic(n: int, now: float, rnd: random.Random) -> tuple[Chat, list[ChatEvent]]:
    queue = rnd.choice(("general", "billing"))
    start = now - rnd.uniform(0, 29 * 86400)
    agent, waited = rnd.choice(AGENTS), rnd.uniform(5, 120)
    chat = Chat(id=f"bench{n:07d}", customer=Customer(name=f"Customer {n}"), topic="question", queue=queue,
                state=ChatState.CLOSED, agent_id=agent, created_at=start, escalated_at=start,
                accepted_at=start + waited, closed_at=start + waited + 600)
    customer = Author(kind=AuthorKind.CUSTOMER, id=chat.id, name="c")

    def event(kind: EventKind, ts: float, **data: object) -> ChatEvent:
        return ChatEvent(id=f"{int(ts * 1000)}-{len(events)}", chat_id=chat.id, kind=kind, ts=ts, data=data)

    events: list[ChatEvent] = []
    events.append(event(EventKind.QUEUED, start, queue=queue))
    events.append(event(EventKind.OFFERED, start + 1, offer_id=f"o{n}", agent_id=agent))
    events.append(event(EventKind.ACCEPTED, start + waited, offer_id=f"o{n}", agent_id=agent, waited=waited))
    for i in range(4):
        events.append(ChatEvent(id=f"{int((start + waited + i) * 1000)}-9", chat_id=chat.id,
                                kind=EventKind.MESSAGE, ts=start + waited + i, text="hello " * 10, author=customer))
    events.append(event(EventKind.CLOSED, start + waited + 600, reason="agent_ended"))
    events.append(event(EventKind.RATING, start + waited + 660, score=rnd.randint(1, 5)))
    return chat, events


async def measure(size: int, redis_url: str, tmp: Path) -> dict[str, float]:
    raw = {**base_raw(), "redis": {"url": redis_url, "key_prefix": f"bench{size}"}, "data_dir": str(tmp / str(size))}
    app = bootstrap(parse_config(raw, base_dir=str(tmp), environ={}), connect_redis(redis_url), redis_url)
    rnd = random.Random(size)
    now = time.time()
    for n in range(size):
        await app.transcripts.store.save(*synthetic(n, now, rnd), [])
    p = period("30d", now, "UTC")
    sources = HistorySources(app.transcripts.store, app.chats, app.stream, RoutingFeed(app.redis, app.keys),
                             app.config.transcripts.keep_live_hours * 3600)
    t0 = time.perf_counter()
    found = await sources.histories(p.start)
    t1 = time.perf_counter()
    report = build_report(found, p, ["general", "billing", "tech"])
    as_table(report, app.config, "bench")
    csv = as_csv(report, app.config)
    t2 = time.perf_counter()
    render_chart(report, app.config, "bench")
    t3 = time.perf_counter()
    assert len(found) == size and csv
    await app.transcripts.store.close()
    await app.redis.aclose()
    return {"load": t1 - t0, "figures": t2 - t1, "chart": t3 - t2, "total": t3 - t0}


async def main(sizes: list[int]) -> None:
    print(f"Machine: {describe()}\n")
    with tempfile.TemporaryDirectory() as tmp:
        redis = EmbeddedRedis(Path(tmp) / "redis", appendonly=False)
        redis.start()
        try:
            results = {size: await measure(size, redis.url, Path(tmp)) for size in sizes}
        finally:
            redis.stop()
    base = results[sizes[0]]["load"] / sizes[0]
    print("| archived chats | read archive | per 1,000 chats | figures + table + CSV | chart | total | read per chat "
          "vs smallest |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for size, r in results.items():
        per = r["load"] / size
        print(f"| {size:,} | {r['load']:.2f} s | {per * 1000:.2f} s | {r['figures']:.2f} s | {r['chart']:.2f} s "
              f"| {r['total']:.2f} s | {per / base:.2f}x |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.reports", description=__doc__)
    parser.add_argument("--sizes", default="500,2000,8000", help="archive sizes to time, smallest first")
    asyncio.run(main([int(s) for s in parser.parse_args().sizes.split(",")]))
