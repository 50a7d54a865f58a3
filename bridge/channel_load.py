"""How busy each CSR channel (a Slack channel, a Matrix room) has been lately, shared by every `serve`
process, so a new chat's thread opens in the least busy of its queue's channels.

A channel's load is the sum over the bridge's posts there of 2^(-age / half-life): a post counts 1 when made,
1/2 a half-life later. It is kept as forward decay: a post at time t adds 2^((t - start) / half-life) to its
epoch's counter (`start` is the epoch's start), a plain INCRBYFLOAT that rides in the pipeline that records
the post, so counting costs no round trip of its own; a read scales the counters back to now. Epochs keep the
weights below 2^(EPOCH_SECONDS / half-life); a read takes its epoch's counter and both neighbours', as another
process's clock (or this one's, read before a wait for a connection) may have counted into the next epoch
already, and a reader blind to it would send a burst's chats to the channels just given theirs.

Placing a new thread reads the loads and counts the new chat in one script (channel_place.lua), so chats
that arrive together spread over the channels instead of all seeing the same quiet one; the choice is kept,
so a retry of the thread's opening posts where the first attempt may already have.
"""

import time
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
EPOCHS_READ = (0, -1, 1)
"""The epochs a read takes, relative to the reader's: its own first (the one a placement counts into), the
previous one, whose posts still count, and the next one, where a clock slightly ahead may have counted."""
TTL_SECONDS = 2 * EPOCH_SECONDS
TTL_REFRESH_SECONDS = 60.0
OPENING_POSTS = 8.0
"""What a new chat counts for where it is placed: opening it makes about this many posts there (the header, the
context card, the first message, knowledge cards, "joined", ...), spread over the next seconds by the pace.
Counted as one post, chats opened together after a quiet spell went several to the channel whose last posts
had faded most; so counted, chats placed together spread to within one of each other over channels whose loads
differ by less than this, and a channel busier than that gets fewer. The posts count again when made."""
PLACEMENT_TTL_SECONDS = 86400
"""A thread's choice is needed until its root post is stored with the chat, which an outage may hold up."""
_PLACE = files("bridge").joinpath("channel_place.lua").read_text()


class ChannelLoad:
    def __init__(self, redis: Redis, keys: Keys, clock: Callable[[], float] = now,
                 half_life: float = HALF_LIFE_SECONDS) -> None:
        self._redis = redis
        self._keys = keys
        self._clock = clock
        self._half_life = half_life
        self._place = redis.register_script(_PLACE)
        self._epoch = 0
        self._expiry_set: dict[str, float] = {}
        """This epoch's counters and when this process last set their TTL (time.monotonic)."""

    def count(self, pipe: Pipeline, posts: Iterable[tuple[str, str]]) -> None:
        """Adds posts, as (platform, conversation), to the caller's pipeline: one command a post, and a counter's
        TTL set again only every TTL_REFRESH_SECONDS (a counter lost with Redis's data gets it back by then)."""
        epoch, weight, _ = self._now()
        at = time.monotonic()
        if self._epoch != epoch:
            self._epoch, self._expiry_set = epoch, {}
        for (platform, conversation), times in Counter(posts).items():
            key = self._keys.channel_load(platform, conversation, epoch)
            pipe.incrbyfloat(key, weight * times)
            if key not in self._expiry_set or at - self._expiry_set[key] >= TTL_REFRESH_SECONDS:
                self._expiry_set[key] = at
                pipe.expire(key, TTL_SECONDS)

    async def loads(self, platform: str, conversations: Sequence[str]) -> list[float]:
        """Each conversation's load now, in one round trip."""
        epoch, _, scale = self._now()
        raw = await self._redis.mget(self._epoch_keys(platform, conversations, epoch)) if conversations else []
        sums = [float(value) if value is not None else 0.0 for value in raw]
        n = len(EPOCHS_READ)
        return [sum(s * f for s, f in zip(sums[n * i:n * i + n], scale, strict=True))
                for i in range(len(conversations))]

    async def place(self, platform: str, conversations: Sequence[str], thread: str) -> str:
        """The conversation with the least load (the first given among equals), where the caller is about to
        open `thread` (a chat's thread in a queue): the new chat counts there as OPENING_POSTS posts, in the same
        step; its root post is not counted again when recorded. Asked again for the same thread, the same
        conversation while it is offered."""
        epoch, weight, scale = self._now()
        keys = [self._keys.channel_placement(platform, thread), *self._epoch_keys(platform, conversations, epoch)]
        chosen = await self._place(keys=keys, args=[len(scale), *map(repr, scale),
                                                    repr(OPENING_POSTS * weight), TTL_SECONDS,
                                                    PLACEMENT_TTL_SECONDS, *conversations])
        return conversations[int(chosen) - 1]

    def _now(self) -> tuple[int, float, list[float]]:
        """The current epoch, a post's weight in it now, and the factors that scale each of EPOCHS_READ's sums
        to now."""
        at = self._clock()
        epoch = int(at // EPOCH_SECONDS)
        offset = (at - epoch * EPOCH_SECONDS) / self._half_life
        return epoch, 2.0 ** offset, [2.0 ** (d * EPOCH_SECONDS / self._half_life - offset) for d in EPOCHS_READ]

    def _epoch_keys(self, platform: str, conversations: Sequence[str], epoch: int) -> list[str]:
        return [self._keys.channel_load(platform, c, epoch + d) for c in conversations for d in EPOCHS_READ]
