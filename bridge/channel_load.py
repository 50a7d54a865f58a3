"""How busy each CSR channel (a Slack channel, a Matrix room) has been lately, shared by every `serve`
process, so a new chat's thread opens in the least busy of its queue's channels.

A channel's load is the sum over the bridge's posts there of 2^(-age / half-life): a post counts 1 when made,
1/2 a half-life later. It is kept as forward decay: a post at time t adds 2^((t - start) / half-life) to its
epoch's counter (`start` is the epoch's start), a plain INCRBYFLOAT that rides in the pipeline that records
the post, so counting costs no round trip of its own; a read scales the counters back to now. Epochs keep the
weights below 2^(EPOCH_SECONDS / half-life); a read takes the current epoch's counter and the previous one's.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bridge.clock import now
from bridge.keys import Keys

HALF_LIFE_SECONDS = 20.0
"""Slack's pace is about a post a second per channel with short bursts: the last half minute or so says how
busy a channel is now; chats stay for minutes, so a longer memory would mostly remember chats that ended."""
EPOCH_SECONDS = 600
"""Weights stay below 2^30, far inside a double's precision; older epochs expire."""


class ChannelLoad:
    def __init__(self, redis: Redis, keys: Keys, clock: Callable[[], float] = now,
                 half_life: float = HALF_LIFE_SECONDS) -> None:
        self._redis = redis
        self._keys = keys
        self._clock = clock
        self._half_life = half_life

    def count(self, pipe: Pipeline, posts: Iterable[tuple[str, str]]) -> None:
        """Adds posts, as (platform, conversation), to the caller's pipeline."""
        at = self._clock()
        epoch = int(at // EPOCH_SECONDS)
        weight = 2.0 ** ((at - epoch * EPOCH_SECONDS) / self._half_life)
        for (platform, conversation), times in Counter(posts).items():
            key = self._keys.channel_load(platform, conversation, epoch)
            pipe.incrbyfloat(key, weight * times)
            pipe.expire(key, 2 * EPOCH_SECONDS)

    async def loads(self, platform: str, conversations: Sequence[str]) -> list[float]:
        """Each conversation's load now, in one round trip."""
        at = self._clock()
        epoch = int(at // EPOCH_SECONDS)
        names = [self._keys.channel_load(platform, c, e) for c in conversations for e in (epoch, epoch - 1)]
        raw = await self._redis.mget(names) if names else []
        scale = [2.0 ** ((e * EPOCH_SECONDS - at) / self._half_life) for e in (epoch, epoch - 1)]
        sums = [float(value) if value is not None else 0.0 for value in raw]
        return [sums[2 * i] * scale[0] + sums[2 * i + 1] * scale[1] for i in range(len(conversations))]

    async def least_busy(self, platform: str, conversations: Sequence[str]) -> str:
        """The conversation with the least load; the first in the given (config) order among equals."""
        if len(conversations) == 1:
            return conversations[0]
        loads = await self.loads(platform, conversations)
        return conversations[loads.index(min(loads))]
