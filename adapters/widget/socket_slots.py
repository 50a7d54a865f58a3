"""How many WebSockets one chat and one client address may hold open, counted in Redis so every `serve`
process agrees.

Each open socket is a member `process:n` of a set per chat and a set per address. A process that holds
sockets keeps a heartbeat in a sorted set; a member whose process stopped beating (killed, cut off from
Redis) no longer counts and is dropped by the next `take`. So a crash frees its sockets' places within
`BEAT_TTL_SECONDS`, and no socket has to be refreshed on its own.
"""

import asyncio
import itertools
import logging
import secrets
import time
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from adapters.widget.errors import ApiError
from bridge.keys import Keys

log = logging.getLogger(__name__)
BEAT_SECONDS = 5.0
BEAT_TTL_SECONDS = 20.0
IDLE_KEY_SECONDS = 86400
"""A set nobody took a place in for a day is dropped, whatever its members."""

_TAKE = """
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
local function live(key)
  local n = 0
  for _, member in ipairs(redis.call('SMEMBERS', key)) do
    local beat = redis.call('ZSCORE', KEYS[1], string.match(member, '^[^:]*'))
    if beat then n = n + 1 else redis.call('SREM', key, member) end
  end
  return n
end
for i = 2, #KEYS do
  if live(KEYS[i]) >= tonumber(ARGV[4 + i]) then return i - 1 end
end
for i = 2, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[4])
  redis.call('EXPIRE', KEYS[i], ARGV[5])
end
return 0
"""


@dataclass(frozen=True)
class Limit:
    scope: str
    subject: str
    most: int
    what: str


@dataclass(frozen=True)
class Slot:
    member: str
    keys: tuple[str, ...]


class SocketSlots:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys
        self._take = redis.register_script(_TAKE)
        self.process = secrets.token_hex(6)
        self._numbers = itertools.count()
        self._held = 0
        self._idle = asyncio.Event()
        self._beating: asyncio.Task[None] | None = None
        self._unreturned: list[Slot] = []
        """Places a closed socket could not give back (Redis away): this process still beats, so they would
        count for as long as it lives; the next take or beat gives them back."""

    async def take(self, *limits: Limit) -> Slot:
        """A place under every limit at once, or ApiError(429) naming the one that is full."""
        await self._give_back_unreturned()
        member = f"{self.process}:{next(self._numbers)}"
        keys = tuple(self._keys.widget_sockets(limit.scope, limit.subject) for limit in limits)
        full = await self._take(keys=[self._keys.widget_socket_processes, *keys],
                                args=[time.time(), self.process, BEAT_TTL_SECONDS, member, IDLE_KEY_SECONDS,
                                      *(limit.most for limit in limits)])
        if full:
            limit = limits[int(full) - 1]
            raise ApiError(429, "too_many_sockets", f"Too many open connections {limit.what} (at most {limit.most}); "
                                                    "close another tab or try again later.",
                           headers={"Retry-After": str(int(BEAT_TTL_SECONDS))}, retry_after=int(BEAT_TTL_SECONDS))
        self._held += 1
        self._idle.clear()
        if self._beating is None or self._beating.done():
            self._beating = asyncio.create_task(self._beat())
        return Slot(member, keys)

    async def give_back(self, slot: Slot) -> None:
        self._held -= 1
        if not self._held:
            self._idle.set()
        self._unreturned.append(slot)
        await self._give_back_unreturned()

    async def _give_back_unreturned(self) -> None:
        if not self._unreturned:
            return
        slots, self._unreturned = self._unreturned, []
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for slot in slots:
                    for key in slot.keys:
                        pipe.srem(key, slot.member)
                await pipe.execute()
        except (RedisError, OSError):
            self._unreturned += slots
            log.warning("%d closed sockets' places not given back yet (Redis unavailable)", len(self._unreturned))

    async def _beat(self) -> None:
        """Keeps this process' sockets counted while it holds any; stops at once when it holds none."""
        while self._held:
            try:
                await asyncio.wait_for(self._idle.wait(), BEAT_SECONDS)
                return
            except TimeoutError:
                pass
            try:
                await self._redis.zadd(self._keys.widget_socket_processes,
                                       {self.process: time.time() + BEAT_TTL_SECONDS})
            except (RedisError, OSError) as exc:
                log.warning("widget socket heartbeat failed (%s); trying again", exc.__class__.__name__)
            await self._give_back_unreturned()
