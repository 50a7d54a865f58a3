"""Where each thread's context card was posted, and what it showed: so a change rewrites that post in place
(and a change that shows nothing new rewrites nothing), never posting the card twice in one thread."""

import hashlib
import json
from dataclasses import dataclass

from redis.asyncio import Redis

from bridge.keys import Keys
from bridge.platform_posts import PlatformPost, PlatformPosts, PostKind
from bridge.ports import ThreadRef


@dataclass(frozen=True)
class CardPost:
    post_id: str
    digest: str


def digest(rendered: object) -> str:
    return hashlib.sha256(json.dumps(rendered, sort_keys=True, default=str).encode()).hexdigest()[:32]


class CardPosts:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys
        self._posts = PlatformPosts(redis, keys)

    async def get(self, chat_id: str, thread: ThreadRef) -> CardPost | None:
        raw = await self._redis.hget(self._keys.chat_cards(chat_id), f"{thread.platform}:{thread.thread_id}")
        if not raw:
            return None
        data = json.loads(raw)
        return CardPost(str(data["post"]), str(data["digest"]))

    async def put(self, chat_id: str, thread: ThreadRef, post: CardPost) -> None:
        await self._redis.hset(self._keys.chat_cards(chat_id), f"{thread.platform}:{thread.thread_id}",
                               json.dumps({"post": post.post_id, "digest": post.digest}))
        await self._posts.record(chat_id, PlatformPost(thread.platform, thread.conversation, post.post_id,
                                                       PostKind.POST))
