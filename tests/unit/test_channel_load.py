"""A channel's load is the sum of 2^(-age / half-life) over the bridge's posts there, kept in real Redis and
shared by every process; counting rides in the post's own pipeline."""

import asyncio
import random
from collections import Counter
from typing import Any

import pytest
from redis.asyncio import ConnectionPool, Redis

from bridge.channel_load import EPOCH_SECONDS, OPENING_POSTS, TTL_SECONDS, ChannelLoad
from bridge.keys import Keys
from bridge.platform_posts import PlatformPost, PlatformPosts, PostKind


class Clock:
    def __init__(self, at: float) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


def reference(posts: list[float], at: float, half_life: float) -> float:
    return sum(2.0 ** (-(at - t) / half_life) for t in posts if t <= at)


async def test_the_load_matches_the_reference_formula_across_epochs(redis: Redis) -> None:
    rng = random.Random(22)
    for case in range(40):
        half_life = rng.choice([5.0, 20.0, 30.0])
        start = 1_765_000_000.0 + rng.uniform(0, EPOCH_SECONDS)
        span = rng.choice([10.0, 120.0, EPOCH_SECONDS * 0.9])
        times = sorted(start + rng.uniform(0, span) for _ in range(rng.randint(1, 30)))
        clock = Clock(start)
        load = ChannelLoad(redis, Keys(prefix=f"t{case}"), clock, half_life)
        for t in times:
            clock.at = t
            async with redis.pipeline(transaction=True) as pipe:
                load.count(pipe, [("slack", "C1")])
                await pipe.execute()
        clock.at = times[-1] + rng.uniform(0, 3 * half_life)
        [c1, c2] = await load.loads("slack", ["C1", "C2"])
        expected = reference(times, clock.at, half_life)
        assert abs(c1 - expected) <= 1e-9 * max(1.0, expected), (case, c1, expected)
        assert c2 == 0.0


async def test_a_post_counts_one_now_and_half_a_half_life_later(redis: Redis) -> None:
    clock = Clock(1_765_000_000.0)
    load = ChannelLoad(redis, Keys(), clock, half_life=20.0)
    async with redis.pipeline(transaction=True) as pipe:
        load.count(pipe, [("slack", "C1"), ("slack", "C1"), ("matrix", "C1")])
        await pipe.execute()
    assert await load.loads("slack", ["C1"]) == [2.0]
    assert await load.loads("matrix", ["C1"]) == [1.0]
    clock.at += 20.0
    assert await load.loads("slack", ["C1"]) == [1.0]
    clock.at += 2 * EPOCH_SECONDS
    assert await load.loads("slack", ["C1"]) == [0.0], "two epochs on, the post is forgotten"


async def test_a_counter_expires_and_its_ttl_is_not_set_on_every_post(redis: Redis) -> None:
    clock = Clock(1_765_000_000.0)
    load = ChannelLoad(redis, Keys(), clock)
    key = Keys().channel_load("slack", "C1", int(clock.at // EPOCH_SECONDS))
    sizes = []
    for _ in range(3):
        async with redis.pipeline(transaction=True) as pipe:
            load.count(pipe, [("slack", "C1")])
            sizes.append(len(pipe.command_stack))
            await pipe.execute()
    assert sizes == [2, 1, 1]
    assert 0 < await redis.ttl(key) <= TTL_SECONDS


async def test_placing_picks_the_least_busy_channel_and_counts_the_new_chat_there(redis: Redis) -> None:
    clock = Clock(1_765_000_000.0)
    load = ChannelLoad(redis, Keys(), clock)
    chat = OPENING_POSTS
    assert await load.place("slack", ["C1", "C2", "C3"], "chat1:general") == "C1", "all quiet: the first listed"
    assert await load.loads("slack", ["C1", "C2", "C3"]) == [chat, 0.0, 0.0], "a new chat counts as its opening"
    async with redis.pipeline(transaction=True) as pipe:
        load.count(pipe, [("slack", "C1")] * 2 + [("slack", "C2")] * 9)
        await pipe.execute()
    assert await load.place("slack", ["C1", "C2", "C3"], "chat2:general") == "C3"
    assert await load.place("slack", ["C1", "C2"], "chat3:general") == "C2"
    assert await load.loads("slack", ["C1", "C2", "C3"]) == [chat + 2, 9 + chat, chat]
    assert await load.place("slack", ["C1"], "chat4:general") == "C1"
    clock.at += EPOCH_SECONDS + 20.0
    faded = 2 ** -31  # 31 half-lives on
    assert await load.loads("slack", ["C1", "C2", "C3"]) == pytest.approx(
        [(2 * chat + 2) * faded, (chat + 9) * faded, chat * faded], rel=1e-9)
    assert await load.place("slack", ["C1", "C2", "C3"], "chat5:general") == "C3", "the previous epoch still counts"


async def test_a_thread_placed_again_keeps_its_channel_while_it_is_offered(redis: Redis) -> None:
    clock = Clock(1_765_000_000.0)
    load = ChannelLoad(redis, Keys(), clock)
    assert await load.place("slack", ["C1", "C2"], "chat1:general") == "C1"
    async with redis.pipeline(transaction=True) as pipe:
        load.count(pipe, [("slack", "C1")] * 5)
        await pipe.execute()
    assert await load.place("slack", ["C1", "C2"], "chat1:general") == "C1", "a retry posts where the first did"
    assert await load.loads("slack", ["C1", "C2"]) == [OPENING_POSTS + 5, 0.0], "and is not counted again"
    assert await load.place("slack", ["C2", "C3"], "chat1:general") == "C2", "C1 is no longer offered"
    assert await load.place("slack", ["C2", "C3"], "chat1:general") == "C2"
    assert await load.place("slack", ["C1", "C2"], "chat1:billing") == "C2", "another queue's thread is new"


async def test_chats_placed_at_the_same_moment_spread_over_the_channels(redis: Redis) -> None:
    load = ChannelLoad(redis, Keys())
    chosen = await asyncio.gather(*(load.place("slack", ["C1", "C2", "C3"], f"chat{n}:general") for n in range(9)))
    assert Counter(chosen) == {"C1": 3, "C2": 3, "C3": 3}


async def test_recording_a_post_counts_it_in_the_same_single_round_trip(redis_url: str) -> None:
    pool = ConnectionPool.from_url(redis_url, decode_responses=True)
    sent: list[Any] = []

    class Counting(pool.connection_class):  # type: ignore[name-defined,misc]
        async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
            sent.append(command)
            await super().send_packed_command(command, check_health)

    pool.connection_class = Counting
    redis = Redis.from_pool(pool)
    try:
        await redis.ping()
        posts = PlatformPosts(redis, Keys(prefix="rt"))
        await posts.record("chat0", PlatformPost("slack", "C7", "1700000000.000100", PostKind.POST))
        sent.clear()  # the first record loaded the script; from then on a record is one round trip
        await posts.record("chat1", PlatformPost("slack", "C9", "1700000001.000100", PostKind.POST),
                           PlatformPost("slack", "C9", "1700000002.000100", PostKind.FILE))
        assert len(sent) == 1, "one pipeline: the record, its expiry, the archive mark and the load together"
        assert (await posts.load.loads("slack", ["C9"]))[0] > 1.9
        await posts.record("chat1", PlatformPost("slack", "C8", "1700000003.000100", PostKind.ROOT))
        assert await posts.load.loads("slack", ["C8"]) == [0.0], "a root was counted when its channel was chosen"
    finally:
        await redis.aclose()
