"""`python -m bench.channel_load`: what counting each post towards its channel's load adds to recording the post,
and what placing a new chat's thread costs, against a redis-server of its own. The machine is shared, so each
figure is a ratio to a baseline measured in the same run, interleaved, as the median of many rounds.
"""

import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from redis.asyncio import Redis

from bridge.bootstrap import connect_redis
from bridge.embedded_redis import EmbeddedRedis
from bridge.keys import Keys
from bridge.platform_posts import POSTS_TTL, PlatformPost, PlatformPosts, PostKind

ROUNDS, CALLS = 30, 300


async def _timed(calls: Callable[[int], Awaitable[object]], round_: int) -> float:
    started = time.perf_counter()
    for i in range(CALLS):
        await calls(round_ * CALLS + i)
    return time.perf_counter() - started


async def _ratio(measured: Callable[[int], Awaitable[object]], baseline: Callable[[int], Awaitable[object]]) -> str:
    ratios = []
    for r in range(ROUNDS):
        pair = (measured, baseline) if r % 2 else (baseline, measured)
        first, second = [await _timed(calls, r) for calls in pair]
        ratios.append(first / second if r % 2 else second / first)
    low, _, high = statistics.quantiles(ratios, n=4)
    return f"median {statistics.median(ratios):.3f} (quartiles {low:.3f}-{high:.3f})"


async def run(redis: Redis) -> None:
    posts, keys = PlatformPosts(redis, Keys("bench")), Keys("bare")

    def post(i: int) -> PlatformPost:
        return PlatformPost("slack", f"C{i % 4}", f"{i}.000100", PostKind.POST)

    async def record(i: int) -> None:
        await posts.record(f"chat{i % 50}", post(i))

    async def bare_record(i: int) -> None:
        """record() as it was before posts counted towards a channel's load."""
        async with redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.chat_posts(f"chat{i % 50}"), mapping={post(i).field: post(i).to_json()})
            pipe.expire(keys.chat_posts(f"chat{i % 50}"), POSTS_TTL)
            pipe.delete(keys.chat_archived(f"chat{i % 50}"))
            await pipe.execute()

    async def ping(_: int) -> None:
        await redis.ping()

    print(f"record() with load counting / without, {ROUNDS} rounds of {CALLS}: {await _ratio(record, bare_record)}")
    for n in (2, 8):
        channels = [f"C{c}" for c in range(n)]

        async def place(i: int, channels: list[str] = channels) -> str:
            return await posts.load.place("slack", channels, f"chat{i}:general")

        print(f"place() over {n} channels / one PING round trip: {await _ratio(place, ping)}")


async def main() -> None:
    with tempfile.TemporaryDirectory(prefix="csr-bench-load-") as tmp:
        server = EmbeddedRedis(Path(tmp), appendonly=False)
        server.start()
        try:
            redis = connect_redis(server.url)
            await run(redis)
            await redis.aclose()
        finally:
            server.stop()


if __name__ == "__main__":
    asyncio.run(main())
