"""The live chat records in Redis: one hash a chat, fields named as the Chat model's.

Routing's Lua scripts change `state`, `queue`, `agent_id`, `outcome` and the timestamps in place, so the
layout is flat on purpose; `customer`, `visit` and `tags` are the only JSON fields (tags change in Lua too,
in `chat_tags.lua`, so two CSRs tagging at once never lose a tag or pass the limit).
"""

import json
from dataclasses import dataclass
from importlib.resources import files

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bridge.domain.chat import Chat, Customer, Visit
from bridge.keys import Keys
from bridge.redis_text import encodable, text_hash, text_set

_COUNT_STATES = files("bridge").joinpath("chat_states.lua").read_text()
_TAGS = files("bridge").joinpath("chat_tags.lua").read_text()


def to_hash(chat: Chat) -> dict[str, str]:
    data = chat.model_dump(mode="json", exclude={"customer", "visit", "tags"})
    flat = {k: str(v) for k, v in data.items()}
    flat["customer"] = chat.customer.model_dump_json()
    flat["visit"] = chat.visit.model_dump_json()
    flat["tags"] = json.dumps(chat.tags)
    return flat


def from_hash(data: dict[str, str]) -> Chat:
    fields: dict[str, object] = dict(data)
    fields["customer"] = Customer.model_validate_json(data["customer"])
    fields["visit"] = Visit.model_validate_json(data["visit"]) if data.get("visit") else Visit()
    fields["tags"] = _tag_list(json.loads(data["tags"]) if data.get("tags") else [])
    return Chat.model_validate(fields)


class DecodedChat:
    """One reader's last chat record and its `Chat`: a reader that reads the same chat over and over (a
    delivery lease, a customer's socket, once per message) decodes it again only when the record changed,
    which under a flood it seldom does (15 us a decode)."""

    def __init__(self) -> None:
        self._hash: dict[str, str] = {}
        self._chat: Chat | None = None

    def of(self, chat_hash: dict[str, str]) -> Chat | None:
        """The chat `chat_hash` holds (None for an empty hash: no such chat)."""
        if chat_hash != self._hash:
            self._hash, self._chat = chat_hash, from_hash(chat_hash) if chat_hash else None
        return self._chat


def _tag_list(value: object) -> list[str]:
    """Lua's cjson writes an empty list as `{}`; chats from before tags have none."""
    return [str(t) for t in value] if isinstance(value, list) else []


@dataclass(frozen=True)
class TagChange:
    """What `change_tags` did: `status` is changed, unchanged, full (past `limit`), closed or missing."""

    status: str
    added: list[str]
    removed: list[str]
    tags: list[str]


class ChatRepository:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys
        self._count_states = redis.register_script(_COUNT_STATES)
        self._tags = redis.register_script(_TAGS)

    async def create(self, chat: Chat) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(self._keys.chat(chat.id), mapping=encodable(to_hash(chat)))
            pipe.sadd(self._keys.open_chats, chat.id)
            await pipe.execute()

    async def set_visit(self, chat_id: str, visit: Visit) -> bool:
        """Replaces the chat's visit, only while the chat exists (never recreates an expired hash)."""
        key = self._keys.chat(chat_id)
        if not await self._redis.exists(key):
            return False
        await self._redis.hset(key, "visit", visit.model_dump_json())
        return True

    async def get(self, chat_id: str) -> Chat | None:
        data = await self._redis.hgetall(self._keys.chat(chat_id))
        return from_hash(text_hash(data)) if data else None

    def get_in(self, pipe: Pipeline, chat_id: str) -> None:
        """Queues `get` on a caller's pipeline, to share its round trip; `from_hash` decodes the result
        (an empty dict: no such chat)."""
        pipe.hgetall(self._keys.chat(chat_id))

    async def get_many(self, chat_ids: list[str]) -> list[Chat]:
        """Many chats in one round trip, in the order asked, skipping those that are gone."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for chat_id in chat_ids:
                self.get_in(pipe, chat_id)
            rows = await pipe.execute()
        return [from_hash(row) for row in rows if row]

    async def find(self, id_or_prefix: str) -> Chat | None:
        """Commands name chats by id; an exact id wins, else a unique prefix of an open chat."""
        if chat := await self.get(id_or_prefix):
            return chat
        if len(id_or_prefix) < 4:
            return None
        matches = [c for c in text_set(await self._redis.smembers(self._keys.open_chats)) if c.startswith(id_or_prefix)]
        return await self.get(matches[0]) if len(matches) == 1 else None

    async def set_email(self, chat: Chat, email: str) -> Chat:
        """The customer gives their email later (to leave a message); only their own session writes it."""
        updated = chat.model_copy(update={"customer": chat.customer.model_copy(update={"email": email})})
        await self._redis.hset(self._keys.chat(chat.id), "customer", updated.customer.model_dump_json())
        return updated

    async def change_tags(self, chat_id: str, add: list[str], remove: list[str], limit: int) -> TagChange:
        """Adds and removes (normalised) tags of an open chat in one step, counting each tag added per queue
        for /metrics; refused whole when the chat would carry more than `limit`."""
        raw = await self._tags(keys=[self._keys.chat(chat_id), self._keys.tag_counts],
                               args=[json.dumps(add), json.dumps(remove), limit])
        result = json.loads(raw)
        return TagChange(status=str(result["status"]), added=_tag_list(result.get("added")),
                         removed=_tag_list(result.get("removed")), tags=_tag_list(result.get("tags")))

    async def open_ids(self) -> set[str]:
        return text_set(await self._redis.smembers(self._keys.open_chats))

    async def open_by_state(self) -> dict[str, int]:
        """How many open chats are in each state (bot, waiting, offered, active, message), read in Redis."""
        raw = await self._count_states(keys=[self._keys.open_chats], args=[self._keys.chat("")])
        return {state: int(count) for state, count in json.loads(raw).items()}
