"""Every post the bridge made on a CSR platform for a chat (the thread's header, the customer's words, files,
the context card, notices, offer cards, supervisors' copies), so that erasing a customer's data finds them all
again, also long after the chat ended.

Adapters record a post once the platform has taken it. The record lives in Redis with the chat
(`Keys.chat_posts`); the archive copies it into the SQL store, which keeps it as long as the transcript, and a
post made after the archive was written has the chat archived again.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib.resources import files
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bridge.channel_load import ChannelLoad
from bridge.events.feed import ChangeFeed
from bridge.keys import Keys
from bridge.redis_batch import RedisBatch
from bridge.redis_text import text_hash

_RECORD = files("bridge").joinpath("post_record.lua").read_text()

POSTS_TTL = 30 * 86400
"""The Redis copy outlives the chat's live state, so posts made after the archive was written are known too."""


class PostKind(StrEnum):
    ROOT = "root"
    """A thread's header (or the root of a supervisor's copy): rewritten as erased, so replies keep their place."""
    POST = "post"
    """A message in a thread or a DM: deleted (Slack) or redacted (Matrix)."""
    FILE = "file"
    """A file the bridge uploaded: `post_id` is the Slack file id or the Matrix event that shows it."""
    OFFER = "offer"
    """An offer card in a CSR's DM: rewritten as erased."""


@dataclass(frozen=True)
class PlatformPost:
    platform: str
    conversation: str
    """Slack channel (or DM) id, Matrix room id."""
    post_id: str
    """Slack message ts (a file id for FILE), Matrix event id."""
    kind: PostKind
    sender: str = ""
    """Matrix appservice mode: the ghost that posted it; empty: the bot."""

    @property
    def field(self) -> str:
        return f"{self.platform}|{self.conversation}|{self.post_id}"

    def to_json(self) -> str:
        """Written for every post the bridge makes: a dict of the fields, not `asdict`'s deep copy of them."""
        return json.dumps({"platform": self.platform, "conversation": self.conversation, "post_id": self.post_id,
                           "kind": self.kind, "sender": self.sender})

    @classmethod
    def from_json(cls, raw: str) -> "PlatformPost":
        data = json.loads(raw)
        return cls(platform=str(data["platform"]), conversation=str(data["conversation"]),
                   post_id=str(data["post_id"]), kind=PostKind(data["kind"]), sender=str(data.get("sender", "")))


class PlatformPosts:
    def __init__(self, redis: Redis, keys: Keys, batch: RedisBatch | None = None) -> None:
        self._redis = redis
        self._keys = keys
        self._feed = ChangeFeed(redis, keys)
        self.load = ChannelLoad(redis, keys)
        self._record = redis.register_script(_RECORD)
        self.batch = batch or RedisBatch(redis)

    async def record(self, chat_id: str, *posts: PlatformPost, along: Pipeline | None = None) -> list[Any]:
        """A post made after the chat's archive was written (delivery trails the end of a chat) makes the chat
        due for archiving again, so the SQL store's record of its posts is whole. Each post also counts towards
        its channel's load, in the same round trip; a thread's root was counted when its channel was chosen
        (ChannelLoad.place). `along`: a pipeline of `batch` holding the caller's own writes about the same post,
        sent in the same round trip, whose results (the caller's commands first) are returned."""
        pipe = along if along is not None else self.batch.pipeline()
        if chat_id and posts:
            self.load.count(pipe, ((p.platform, p.conversation) for p in posts if p.kind is not PostKind.ROOT))
            await self._record(keys=[self._keys.chat_posts(chat_id), self._keys.chat_archived(chat_id)],
                               args=[POSTS_TTL, *(x for p in posts for x in (p.field, p.to_json()))], client=pipe)
        if not len(pipe):
            return []
        results = await self.batch.execute(pipe)
        if chat_id and posts and results[-1]:
            await self._feed.publish("closed", chat_id)
        return results

    async def of(self, chat_id: str) -> list[PlatformPost]:
        return [PlatformPost.from_json(raw) for raw in
                text_hash(await self._redis.hgetall(self._keys.chat_posts(chat_id))).values()]


@dataclass(frozen=True)
class PostOutcome:
    """What erasing one post did: `erased` (deleted, redacted, rewritten, or gone already) or why not."""

    post: PlatformPost
    erased: bool
    detail: str


class PostEraser(Protocol):
    """A CSR platform's side of erasing a customer's data: each post the bridge made for a chat, gone."""

    platform: str

    async def check(self) -> str:
        """"" when the platform answers with the bridge's credentials, else what is wrong: asked before anything
        is erased, so an outage stops the erase instead of leaving posts nobody can find again."""
        ...

    async def erase(self, chat_id: str, posts: Sequence[PlatformPost]) -> list[PostOutcome]:
        """One or more outcomes per post, never raising for a post the platform refuses (its outcome says why)."""
        ...

    async def close(self) -> None: ...
