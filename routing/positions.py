"""Keeps waiting customers told of their position and estimated wait as the line moves.

Off the hot path on purpose: routing scripts only mark a queue dirty; this announcer walks the
dirty queues' lines a page at a time (one short script per page, so Redis is never blocked long)
and appends `position` events only where the position changed enough to matter. A queue whose last
signed-in CSR left is marked dirty too: its script moves that line on instead (overflow or a message),
so nobody keeps waiting for a person who can't come.
"""

from collections.abc import Awaitable, Callable

from redis.asyncio import Redis

from bridge.keys import Keys
from bridge.redis_text import text_list
from routing.scripts import ScriptResult

PAGE = 500


class PositionAnnouncer:
    def __init__(self, redis: Redis, keys: Keys, run: Callable[..., Awaitable[ScriptResult]]) -> None:
        """`run(script, *args)` runs a routing script and arms the timers it reports (Router._run)."""
        self._redis = redis
        self._keys = keys
        self._run = run

    async def tick(self) -> int:
        """Announces changes in every dirty queue; returns how many position events were sent."""
        announced = 0
        while queues := await self._redis.spop(self._keys.routing_dirty, 100):
            for queue in text_list(queues):
                announced += await self._announce(queue)
        return announced

    async def _announce(self, queue: str) -> int:
        announced, first = 0, 0
        while True:
            result = await self._run("positions", queue, first, PAGE)
            announced += int(result.get("announced", 0))
            if int(result.get("seen", 0)) < PAGE:
                return announced
            if result.status != "moved":  # moved chats left the line, so the next page starts at the front
                first += PAGE
