"""Keeps waiting customers told of their position and estimated wait as the line moves.

Off the hot path on purpose: routing scripts only mark a queue dirty; this announcer walks the
dirty queues' lines a page at a time (one short script per page, so Redis is never blocked long)
and appends `position` events only where the position changed enough to matter.
"""

from collections.abc import Callable

from redis.asyncio import Redis

from bridge.keys import Keys
from routing.scripts import RoutingScripts

PAGE = 500


class PositionAnnouncer:
    def __init__(self, redis: Redis, keys: Keys, scripts: RoutingScripts, clock: Callable[[], float]) -> None:
        self._redis = redis
        self._keys = keys
        self._scripts = scripts
        self._clock = clock

    async def tick(self) -> int:
        """Announces changes in every dirty queue; returns how many position events were sent."""
        announced = 0
        while queues := await self._redis.spop(self._keys.routing_dirty, 100):
            for queue in queues:
                announced += await self._announce(queue)
        return announced

    async def _announce(self, queue: str) -> int:
        announced, first = 0, 0
        while True:
            result = await self._scripts.run("positions", self._clock(), queue, first, PAGE)
            announced += int(result.get("announced", 0))
            if int(result.get("seen", 0)) < PAGE:
                return announced
            first += PAGE
