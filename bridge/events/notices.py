"""Private notices to CSRs ("you were set away after 2 missed offers"), each delivered by one serve process.

A work stream (`WorkStream`): a notice goes to one consumer and is acknowledged once every platform that
reaches the CSR took it (at least once). A notice left pending by a process that died is claimed by
another after CLAIM_IDLE_MS. Routing scripts and RQ jobs write to the stream directly, so a notice is
written atomically with the change it explains.
"""

import asyncio
import logging
from collections.abc import Callable

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bridge.clock import now
from bridge.config.agents import AgentConfig
from bridge.events.work_stream import WorkStream
from bridge.keys import Keys
from bridge.ports import AgentSurface

log = logging.getLogger(__name__)
GROUP = "notices"
MAXLEN = 100_000
CLAIM_IDLE_MS = 30_000
MAX_ATTEMPTS = 10


class Notices:
    def __init__(self, redis: Redis, keys: Keys, surfaces: dict[str, AgentSurface],
                 agent_lookup: Callable[[str], AgentConfig | None], consumer: str = "") -> None:
        self._work = WorkStream(redis, keys.notices, GROUP, consumer)
        self._surfaces = surfaces
        self._agent = agent_lookup
        self.consumer = self._work.consumer

    async def send(self, agent_id: str, text: str) -> str:
        return await self._work.add({"agent": agent_id, "text": text, "ts": f"{now():.3f}"}, maxlen=MAXLEN)

    async def ensure_group(self) -> None:
        await self._work.ensure_group()

    async def process_new(self, block_ms: int | None = None) -> int:
        """Delivers notices no consumer has seen yet; returns how many were read."""
        entries = await self._work.read_new(block_ms=block_ms)
        for entry_id, fields in entries:
            await self._deliver(entry_id, fields)
        return len(entries)

    async def reclaim(self, min_idle_ms: int = CLAIM_IDLE_MS) -> int:
        """Takes over notices another consumer read but never acknowledged, and retries them."""
        entries = await self._work.claim(min_idle_ms)
        for entry_id, fields in entries:
            if await self._work.deliveries(entry_id) > MAX_ATTEMPTS:
                log.error("notice %s for %s dropped after %s attempts", entry_id, fields.get("agent"), MAX_ATTEMPTS)
                await self._work.ack(entry_id)
                continue
            await self._deliver(entry_id, fields)
        return len(entries)

    async def run(self, stop: asyncio.Event) -> None:
        await self.ensure_group()
        last_claim = 0.0
        while not stop.is_set():
            try:
                if now() - last_claim > CLAIM_IDLE_MS / 1000 / 2:
                    last_claim = now()
                    await self.reclaim()
                await self.process_new(block_ms=1000)
            except (RedisConnectionError, RedisTimeoutError, OSError):
                log.warning("notices lost Redis; retrying")
                await asyncio.sleep(0.5)
            except ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                await self.ensure_group()

    async def _deliver(self, entry_id: str, fields: dict[str, str]) -> None:
        agent = self._agent(fields.get("agent", ""))
        if agent is None:
            log.warning("notice %s names %r, who is not on the roster; dropped", entry_id, fields.get("agent"))
            await self._work.ack(entry_id)
            return
        surfaces = [s for s in list(self._surfaces.values()) if s.reaches(agent)]
        if not surfaces:
            log.info("notice for %s not shown: no platform reaches them (%s)", agent.id, fields.get("text"))
        try:
            for surface in surfaces:
                await surface.notify_agent(agent, fields.get("text", ""))
        except Exception:  # any platform failure: the notice stays pending and is retried
            log.exception("notice %s for %s failed; it will be retried", entry_id, agent.id)
            return
        await self._work.ack(entry_id)
