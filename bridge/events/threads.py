"""Which platform thread a chat lives in, kept in Redis so it survives restarts and reconnects."""

import json

from redis.asyncio import Redis

from bridge.domain.chat import Chat
from bridge.keys import Keys
from bridge.ports import ThreadRef
from bridge.redis_text import text_hash, text_or_none


class ThreadStore:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys

    async def get(self, chat: Chat) -> ThreadRef | None:
        """The thread for the chat's current platform and queue (a queue transfer opens a new one)."""
        raw = await self._redis.hget(self._keys.chat_threads(chat.id), thread_field(chat))
        return ThreadRef(**json.loads(raw)) if raw else None

    async def put(self, chat: Chat, thread: ThreadRef) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                self._keys.chat_threads(chat.id),
                f"{thread.platform}:{chat.queue}",
                json.dumps(thread.__dict__),
            )
            pipe.set(self._keys.thread_chat(thread.platform, thread.thread_id), chat.id)
            await pipe.execute()

    async def all(self, chat_id: str) -> dict[str, ThreadRef]:
        """Every thread the chat has had, by `platform:queue`; a queue transfer leaves the old one behind."""
        return decode_threads(text_hash(await self._redis.hgetall(self._keys.chat_threads(chat_id))))

    async def chat_of(self, platform: str, thread_id: str) -> str | None:
        """Inbound: which chat a platform thread belongs to."""
        return text_or_none(await self._redis.get(self._keys.thread_chat(platform, thread_id)))


def thread_field(chat: Chat) -> str:
    """A chat has one thread per platform and queue: a queue transfer opens a new one."""
    return f"{chat.platform}:{chat.queue}"


def decode_threads(raw: dict[str, str]) -> dict[str, ThreadRef]:
    return {key: ThreadRef(**json.loads(value)) for key, value in raw.items()}
