"""How busy each CSR channel (a Slack channel, a Matrix room) has been lately, shared by every `serve`
process, so a new chat's thread opens in the least busy of its queue's channels.

A channel's load is the sum over the bridge's posts there of 2^(-age / half-life): a post counts 1 when made,
1/2 a half-life later. It is kept as forward decay: a post at time t adds 2^((t - start) / half-life) to its
epoch's counter (`start` is the epoch's start), a plain INCRBYFLOAT that rides in the pipeline that records
the post, so counting costs no round trip of its own; a read scales the counters back to now. Epochs keep the
weights below 2^(EPOCH_SECONDS / half-life); a read takes the current epoch's counter and the previous one's.

Placing a new thread reads the loads and counts its root post in one script (channel_place.lua), so chats
that arrive together spread over the channels instead of all seeing the same quiet one.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from importlib.resources import files

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bridge.clock import now
from bridge.keys import Keys

HALF_LIFE_SECONDS = 20.0
"""Slack's pace is about a post a second per channel with short bursts: the last half minute or so says how
busy a channel is now; chats stay for minutes, so a longer memory would mostly remember chats that ended."""
EPOCH_SECONDS = 600
"""Weights stay below 2^30, far inside a double's precision; older epochs expire."""
TTL_SECONDS = 2 * EPOCH_SECONDS
_PLACE = files("bridge").joinpath("channel_place.lua").read_text()


class ChannelLoad:
    def __init__(self, redis: Redis, keys: Keys, clock: Callable[[], float] = now,
                 half_life: float = HALF_LIFE_SECONDS) -> None:
        self._redis = redis
        self._keys = keys
        self._clock = clock
        self._half_life = half_life
        self._place = redis.register_script(_PLACE)

    def count(self, pipe: Pipeline, posts: Iterable[tuple[str, str]]) -> None:
        """Adds posts, as (platform, conversation), to the caller's pipeline."""
        epoch, weight, _ = self._now()
        for (platform, conversation), times in Counter(posts).items():
            key = self._keys.channel_load(platform, conversation, epoch)
            pipe.incrbyfloat(key, weight * times)
            pipe.expire(key, TTL_SECONDS)

    async def loads(self, platform: str, conversations: Sequence[str]) -> list[float]:
        """Each conversation's load now, in one round trip."""
        epoch, _, scale = self._now()
        raw = await self._redis.mget(self._epoch_keys(platform, conversations, epoch)) if conversations else []
        sums = [float(value) if value is not None else 0.0 for value in raw]
        return [sums[2 * i] * scale[0] + sums[2 * i + 1] * scale[1] for i in range(len(conversations))]

    async def place(self, platform: str, conversations: Sequence[str]) -> str:
        """The conversation with the least load (the first given among equals), where the caller is about to
        post a thread's root: that post is counted here, in the same step, not when it is recorded."""
        epoch, weight, scale = self._now()
        chosen = await self._place(keys=self._epoch_keys(platform, conversations, epoch),
                                   args=[repr(scale[0]), repr(scale[1]), repr(weight), TTL_SECONDS])
        return conversations[int(chosen) - 1]

    def _now(self) -> tuple[int, float, tuple[float, float]]:
        """The current epoch, a post's weight in it now, and the factors that scale the current and the
        previous epoch's sums to now."""
        at = self._clock()
        epoch = int(at // EPOCH_SECONDS)
        offset = (at - epoch * EPOCH_SECONDS) / self._half_life
        return epoch, 2.0 ** offset, (2.0 ** -offset, 2.0 ** (-offset - EPOCH_SECONDS / self._half_life))

    def _epoch_keys(self, platform: str, conversations: Sequence[str], epoch: int) -> list[str]:
        return [self._keys.channel_load(platform, c, e) for c in conversations for e in (epoch, epoch - 1)]
