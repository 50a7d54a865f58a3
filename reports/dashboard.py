"""When live dashboards refresh: the many changes (each chat event, offer and presence change) become one
`dashboard:N` notification on the change feed at most every `reports.dashboard_seconds`, across all
serve processes. Adapters refresh their dashboard on it (Slack App Home, the Matrix status message),
each notification by the one process that claims its number.

The first change after a quiet spell is announced at once; changes during the quiet time that follows
are announced together when it ends, so the last change is never left unshown.
"""

import asyncio
import logging
import secrets

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bridge.events.feed import ChangeFeed
from bridge.keys import Keys

log = logging.getLogger(__name__)
FEED_KIND = "dashboard"
CLAIM_SECONDS = 300
WATCHED = ("chat", "offer", "agent")


class DashboardSignal:
    def __init__(self, redis: Redis, keys: Keys, feed: ChangeFeed, dashboard_seconds: float) -> None:
        self._redis = redis
        self._keys = keys
        self._feed = feed
        self._ms = int(dashboard_seconds * 1000)
        self._token = secrets.token_hex(6)
        self._dirty = False
        self._task: asyncio.Task[None] | None = None

    def subscribe(self) -> None:
        for kind in WATCHED:
            self._feed.subscribe(kind, self.on_change)
        self._feed.subscribe(FEED_KIND, self.on_announced)

    def on_change(self, _entity_id: str) -> None:
        """Inline in the feed (a plain function): a chat changes with every message, and a task per change only
        to set this flag cost more than the flag."""
        self._dirty = True
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())

    def on_announced(self, _seq: str) -> None:
        """Any process's announcement covers the changes this one saw before it (the feed is one ordered stream)."""
        self._dirty = False

    async def _run(self) -> None:
        try:
            while self._dirty:
                await self._announce()
        except (RedisError, OSError):
            log.warning("dashboard refresh not announced: Redis unavailable")

    async def _announce(self) -> None:
        redis, keys = self._redis, self._keys
        while not await redis.set(keys.dashboard_lease, self._token, nx=True, px=self._ms):
            await asyncio.sleep(max(await redis.pttl(keys.dashboard_lease), 20) / 1000)
            if not self._dirty:
                return
        self._dirty = False
        seq = await redis.incr(keys.dashboard_seq)
        await self._feed.publish(FEED_KIND, str(seq))


async def claim(redis: Redis, key: str) -> bool:
    """True for the one process that takes this refresh (the key names the platform and the number)."""
    return bool(await redis.set(key, "1", nx=True, ex=CLAIM_SECONDS))
