"""Archives the database keeps refusing, parked for an admin instead of being retried forever.

Each refused attempt is counted per chat; after `archive_max_attempts` the chat is parked: it leaves the
pending set (no sweep re-schedules it), keeps its live state in Redis without a TTL (nothing is lost), and
shows on /metrics, on /readyz and in `csr-bridge transcripts parked` until someone retries it.
"""

import json
from dataclasses import dataclass

from redis.asyncio import Redis

from bridge.clock import now
from bridge.keys import Keys
from bridge.redis_text import text_hash


@dataclass(frozen=True)
class ParkedChat:
    chat_id: str
    parked_at: float
    attempts: int
    error: str


class ParkedArchives:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys

    async def count_failure(self, chat_id: str, kind: str) -> int:
        """Counts a failed attempt (`refused` per chat, any kind on /metrics); returns the chat's refusals."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(self._keys.archive_outcomes, kind, 1)
            if kind == "refused":
                pipe.hincrby(self._keys.archive_failures, chat_id, 1)
            results = await pipe.execute()
        return int(results[1]) if kind == "refused" else 0

    async def park(self, chat_id: str, attempts: int, error: str) -> None:
        record = {"parked_at": now(), "attempts": attempts, "error": error}
        k = self._keys
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(k.archive_parked, chat_id, json.dumps(record))
            pipe.hdel(k.archive_failures, chat_id)
            pipe.zrem(k.archive_pending, chat_id)
            pipe.hincrby(k.archive_outcomes, "parked", 1)
            await pipe.execute()

    async def is_parked(self, chat_id: str) -> bool:
        return bool(await self._redis.hexists(self._keys.archive_parked, chat_id))

    async def count(self) -> int:
        return int(await self._redis.hlen(self._keys.archive_parked))

    async def all(self) -> list[ParkedChat]:
        """Oldest first."""
        raw = text_hash(await self._redis.hgetall(self._keys.archive_parked))
        parked = [_decode(chat_id, value) for chat_id, value in raw.items()]
        return sorted(parked, key=lambda p: (p.parked_at, p.chat_id))

    async def release(self, chat_ids: list[str]) -> list[str]:
        """Takes chats off the parked list (with a fresh count of attempts); returns those that were parked."""
        released = []
        for chat_id in chat_ids:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hdel(self._keys.archive_parked, chat_id)
                pipe.hdel(self._keys.archive_failures, chat_id)
                removed, _ = await pipe.execute()
            if removed:
                released.append(chat_id)
        return released


def _decode(chat_id: str, value: str) -> ParkedChat:
    data = json.loads(value)
    return ParkedChat(chat_id=chat_id, parked_at=float(data.get("parked_at", 0)),
                      attempts=int(data.get("attempts", 0)), error=str(data.get("error", "")))
