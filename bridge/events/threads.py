"""Which platform thread a chat lives in, kept in Redis so it survives restarts and reconnects.

The way back, thread -> chat, is keyed by channel (room) and thread id: Slack promises a ts unique only within
one channel. Chats opened before that change have only the old key, by thread id alone. `chat_of` still reads
it, but only when the chat it names recorded that very thread (same channel), so a thread in another channel
with an equal ts never reaches that chat. For this release the old key is still written, if no chat holds it
yet (so it never takes a pre-upgrade chat's): processes of the previous release, in a rolling upgrade or after
a rollback, then find new chats too. The next release stops writing it, the one after stops reading it.
"""

import json
from collections.abc import Iterable

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
            pipe.set(self._keys.thread_chat(thread.platform, thread.conversation, thread.thread_id), chat.id)
            pipe.set(self._keys.legacy_thread_chat(thread.platform, thread.thread_id), chat.id, nx=True)
            await pipe.execute()

    async def all(self, chat_id: str) -> dict[str, ThreadRef]:
        """Every thread the chat has had, by `platform:queue`; a queue transfer leaves the old one behind."""
        return decode_threads(text_hash(await self._redis.hgetall(self._keys.chat_threads(chat_id))))

    async def chat_of(self, platform: str, conversation: str, thread_id: str) -> str | None:
        """Inbound: which chat the thread in this channel (room) belongs to; see the module's docstring."""
        k = self._keys
        replies = await self._redis.mget(k.thread_chat(platform, conversation, thread_id),
                                         k.legacy_thread_chat(platform, thread_id))
        found, legacy = (text_or_none(raw) for raw in replies)
        if found or not legacy:
            return found
        wanted = ThreadRef(platform, conversation, thread_id)
        return legacy if wanted in (await self.all(legacy)).values() else None


def thread_field(chat: Chat) -> str:
    """A chat has one thread per platform and queue: a queue transfer opens a new one."""
    return f"{chat.platform}:{chat.queue}"


def decode_threads(raw: dict[str, str]) -> dict[str, ThreadRef]:
    return {key: ThreadRef(**json.loads(value)) for key, value in raw.items()}


async def lookup_keys(redis: Redis, keys: Keys, chat_id: str, threads: Iterable[ThreadRef]) -> list[str]:
    """The keys that lead the chat's threads back to it, for the archive to expire and an erase to delete: the
    channel-scoped ones, and old unscoped ones only while they still name this chat (another may own them)."""
    threads = list(threads)
    scoped = [keys.thread_chat(t.platform, t.conversation, t.thread_id) for t in threads]
    legacy = list(dict.fromkeys(keys.legacy_thread_chat(t.platform, t.thread_id) for t in threads))
    owners = [text_or_none(raw) for raw in await redis.mget(legacy)] if legacy else []
    return scoped + [key for key, owner in zip(legacy, owners, strict=True) if owner == chat_id]
