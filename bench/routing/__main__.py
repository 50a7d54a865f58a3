"""Prints the routing benchmark table; compares each size against the 100-CSR round as a ratio."""

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bench.routing.run import BACKLOG, Round, run_round
from bench.routing.timers import rq_enqueue_us
from bridge.bootstrap import connect_redis
from bridge.embedded_redis import EmbeddedRedis

SIZES = (100, 1_000, 10_000)


def pct(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100)[q - 1] if len(samples) > 1 else samples[0]


def table(rounds: list[Round]) -> str:
    base = rounds[0]
    head = (f"{'CSRs':>6} {'waiting':>8} | {'esc->offer p50':>14} {'p99':>7} | {'offers/s':>8} | "
            f"{'accept p50':>10} {'close->next p50':>15} {'available p50':>13} | {'Lua us/call':>11} | "
            f"{'p50 vs 100':>10}")
    lines = [head, "-" * len(head)]
    for r in rounds:
        lua = statistics.mean(r.lua_us.values())
        ratio = statistics.median(r.escalate_ms) / statistics.median(base.escalate_ms)
        lines.append(
            f"{r.csrs:>6} {r.waiting:>8} | {pct(r.escalate_ms, 50):>11.3f} ms {pct(r.escalate_ms, 99):>7.3f} | "
            f"{r.offers_per_second:>8.0f} | {pct(r.accept_ms, 50):>7.3f} ms {pct(r.close_ms, 50):>12.3f} ms "
            f"{pct(r.available_ms, 50):>10.3f} ms | {lua:>11.0f} | {ratio:>9.2f}x")
    return "\n".join(lines)


async def main() -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedRedis(Path(tmp) / "redis", appendonly=False)
        server.start()
        try:
            redis = connect_redis(server.url)
            rounds = [await run_round(n, Path(tmp), redis, server.url) for n in SIZES]
            enqueue = await rq_enqueue_us(Path(tmp), redis, server.url)
            await redis.aclose()
        finally:
            server.stop()
    print(f"Routing benchmark: 20 queues, {BACKLOG:,} chats waiting, one process, a private redis-server")
    print(table(rounds))
    print(f"RQ enqueue of one offer deadline (worker thread, batched per script): {enqueue:.0f} us")
    print("esc->offer: a chat escalated into a queue with a free CSR, until its offer exists (one script call)")
    print("offers/s: accept + close cycles in the backlogged queues; each close offers the next waiting chat")
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    asyncio.run(main())
