"""Chats placed together spread over a queue's channels: to within one of each other when the channels' loads
were equal (or differed by less than a new chat's opening), after any quiet period, across an epoch boundary and
from several callers at once; a busy channel still gets fewer. Against real Redis, as every process shares it."""

import asyncio
import itertools
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis

from bridge.channel_load import EPOCH_SECONDS, HALF_LIFE_SECONDS, OPENING_POSTS, ChannelLoad
from bridge.keys import Keys
from bridge.redis_connect import connect_redis

BOUNDARY = 2_941_667 * EPOCH_SECONDS
"""The start of an epoch: counters are per epoch, so bursts are placed on and around one."""
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


class Clock:
    def __init__(self, at: float) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


def spread(chosen: Sequence[str], channels: Sequence[str]) -> list[int]:
    counts = Counter(chosen)
    return [counts[c] for c in channels]


async def post(redis: Redis, load: ChannelLoad, clock: Clock, at: float, channel: str) -> None:
    clock.at = at
    async with redis.pipeline(transaction=True) as pipe:
        load.count(pipe, [("slack", channel)])
        await pipe.execute()


async def test_a_burst_after_a_quiet_minute_spreads_although_the_last_posts_faded_unevenly(redis: Redis) -> None:
    """The channels all posted at Slack's pace for a minute, C1's backlog ran out half a minute before the
    others', then all were quiet for a minute: C1's fading posts weigh two less than the others'."""
    channels = ["C1", "C2", "C3", "C4"]
    clock = Clock(BOUNDARY + 100.0)
    load = ChannelLoad(redis, Keys(), clock)
    for channel, stop in zip(channels, (30.0, 60.0, 60.0, 60.0), strict=True):
        for second in range(60):
            await post(redis, load, clock, BOUNDARY + 100.0 + stop - 60 + second, channel)
    clock.at = BOUNDARY + 100.0 + 60 + 60
    before = await load.loads("slack", channels)
    assert 1.5 < max(before) - min(before) < 2.5
    chosen = await asyncio.gather(*(load.place("slack", channels, f"chat{n}:general") for n in range(6)))
    counts = spread(chosen, channels)
    assert max(counts) - min(counts) <= 1, counts


async def test_a_burst_across_an_epoch_boundary_from_two_processes_spreads(redis: Redis) -> None:
    """One process's clock is a fifth of a second ahead of the other's (or read before a wait for a
    connection): for a moment one counts into the next epoch while the other still reads the last."""
    channels = ["C1", "C2", "C3", "C4"]
    ahead = ChannelLoad(redis, Keys(), Clock(BOUNDARY + 0.1))
    behind = ChannelLoad(redis, Keys(), Clock(BOUNDARY - 0.1))
    chosen = [await ahead.place("slack", channels, f"a{n}:general") for n in range(13)]
    chosen += [await behind.place("slack", channels, f"b{n}:general") for n in range(13)]
    counts = spread(chosen, channels)
    assert max(counts) - min(counts) <= 1, counts


async def test_a_busy_channel_still_gets_fewer_of_a_burst(redis: Redis) -> None:
    channels = ["C1", "C2", "C3", "C4"]
    clock = Clock(BOUNDARY + 100.0)
    load = ChannelLoad(redis, Keys(), clock)
    for second in range(30):
        await post(redis, load, clock, BOUNDARY + 100.0 + second, "C1")
    chosen = await asyncio.gather(*(load.place("slack", channels, f"chat{n}:general") for n in range(6)))
    assert spread(chosen, channels) == [0, 2, 2, 2], "C1 has posted every second for half a minute"


@dataclass
class Reference:
    """A channel's load as the sum of w * 2^(-(now - t) / half-life) over what was counted there at t (by the
    counting process's clock), w being 1 for a post and OPENING_POSTS for a new chat."""

    counted: dict[str, list[tuple[float, float]]] = field(default_factory=dict)

    def add(self, channel: str, at: float, weight: float) -> None:
        self.counted.setdefault(channel, []).append((at, weight))

    def load(self, channel: str, now: float) -> float:
        return sum(w * 2.0 ** (-(now - t) / HALF_LIFE_SECONDS) for t, w in self.counted.get(channel, []))


EVENT = st.tuples(st.one_of(st.floats(-2, 2), st.floats(-60, 60), st.floats(-700, 700)),  # when, from BOUNDARY
                  st.booleans(),  # a post (else a new chat)
                  st.integers(0, 4),  # the post's channel
                  st.integers(0, 2))  # the placing process


@PROPERTY
@given(channels=st.integers(2, 5),
       skews=st.lists(st.floats(-1, 1), min_size=3, max_size=3, unique=True), events=st.lists(EVENT, max_size=60))
def test_each_new_chat_goes_to_a_least_busy_channel_of_the_reference_model(
        redis_url: str, channels: int, skews: list[float],
        events: list[tuple[float, bool, int, int]]) -> None:
    """Posts and new chats, by processes whose clocks differ by up to two seconds, over three epochs:
    each chat's channel has the least load (to rounding) the reference model gives at the placing clock."""
    names = [f"C{n}" for n in range(channels)]

    async def run() -> None:
        redis, keys = connect_redis(redis_url), Keys(prefix=uuid.uuid4().hex)
        writer_clock = Clock(0.0)
        writer = ChannelLoad(redis, keys, writer_clock)
        clocks = [Clock(0.0) for _ in skews]
        placers = [ChannelLoad(redis, keys, clock) for clock in clocks]
        reference = Reference()
        try:
            for n, (offset, is_post, channel, process) in enumerate(sorted(events)):
                at = BOUNDARY + offset
                if is_post:
                    await post(redis, writer, writer_clock, at, names[channel % channels])
                    reference.add(names[channel % channels], at, 1.0)
                    continue
                clocks[process].at = now = at + skews[process]
                chosen = await placers[process].place("slack", names, f"chat{n}:general")
                loads = [reference.load(c, now) for c in names]
                assert reference.load(chosen, now) <= min(loads) + 1e-6 + 1e-9 * max(loads), (chosen, loads)
                reference.add(chosen, now, OPENING_POSTS)
        finally:
            await redis.aclose()

    asyncio.run(run())


@PROPERTY
@given(channels=st.integers(2, 5), quiet=st.floats(0, 2 * EPOCH_SECONDS), burst_at=st.floats(-1, 1),
       shared=st.lists(st.floats(0, 60), max_size=30),
       extra=st.lists(st.lists(st.floats(0, 60), max_size=3), min_size=5, max_size=5),
       skews=st.lists(st.floats(-0.1, 0.1), min_size=1, max_size=4), chats=st.integers(1, 30))
def test_chats_placed_at_once_spread_to_within_one_over_channels_about_equally_loaded(
        redis_url: str, channels: int, quiet: float, burst_at: float, shared: list[float],
        extra: list[list[float]], skews: list[float], chats: int) -> None:
    """Every channel had the same posts, and a few had up to three more, before a quiet period of any length;
    then a burst around an epoch boundary, from several processes at once whose clocks differ by up to a
    fifth of a second."""
    names = [f"C{n}" for n in range(channels)]

    async def run() -> None:
        redis, keys = connect_redis(redis_url), Keys(prefix=uuid.uuid4().hex)
        burst = BOUNDARY + burst_at
        history = [(c, t) for t in shared for c in names] + [(c, t) for c, ts in zip(names, extra) for t in ts]
        writer_clock = Clock(0.0)
        writer = ChannelLoad(redis, keys, writer_clock)
        placers = [ChannelLoad(redis, keys, Clock(burst + skew)) for skew in skews]
        try:
            for channel, t in sorted(history, key=lambda p: -p[1]):
                await post(redis, writer, writer_clock, burst - quiet - t, channel)
            callers = itertools.cycle(placers)
            chosen = await asyncio.gather(*(next(callers).place("slack", names, f"chat{n}:general")
                                            for n in range(chats)))
        finally:
            await redis.aclose()
        counts = spread(chosen, names)
        assert max(counts) - min(counts) <= 1, counts

    asyncio.run(run())
