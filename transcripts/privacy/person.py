"""Finding everything the bridge keeps about one person: their customer records and their chats, archived in
the SQL store or still live in Redis (open, or closed and not archived yet).

A chat is the person's when its customer matches the selector, or when it belongs to the same customer
identity as one that does (a verified user's chats from every browser, an unverified visitor's chats in the
same browser session). One expansion, not a closure: an identity found through a chat adds its own chats,
never the identities of those.
"""

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from redis.asyncio import Redis

from bridge.chats import ChatRepository
from bridge.domain.chat import Chat, Customer
from bridge.domain.events import ChatEvent
from bridge.events.stream import ChatStream
from bridge.keys import Keys
from transcripts.privacy.records import customers_by_id, linked_chats, matching_chats, matching_customers
from transcripts.privacy.selector import Selector
from transcripts.store import TranscriptStore

SCAN_BATCH = 500


@dataclass(frozen=True)
class PersonChat:
    chat: Chat
    events: list[ChatEvent]
    live: bool
    """Redis holds the chat (then its record here is Redis's: the newest)."""
    archived: bool
    """The SQL store holds it."""


@dataclass(frozen=True)
class Person:
    selector: Selector
    customers: list[dict[str, Any]] = field(default_factory=list)
    """Their customer records as the store keeps them."""
    chats: list[PersonChat] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.customers or self.chats)

    @property
    def customer_ids(self) -> set[str]:
        return {c["id"] for c in self.customers} | {c.chat.customer.id for c in self.chats if c.chat.customer.id}


class PersonFinder:
    def __init__(self, redis: Redis, keys: Keys, chats: ChatRepository, stream: ChatStream,
                 store: TranscriptStore) -> None:
        self._redis = redis
        self._keys = keys
        self._chats = chats
        self._stream = stream
        self._store = store

    async def find(self, selector: Selector) -> Person:
        """Raises StoreUnavailable when the SQL store can't be read (nothing is guessed without it)."""
        live = await self._live_customers()
        async with self._store.begin() as conn:
            rows = await matching_customers(conn, selector)
            direct = await matching_chats(conn, selector)
            direct |= {chat_id: c.id for chat_id, c in live.items() if selector.matches(c)}
            ids = {r["id"] for r in rows} | {cid for cid in direct.values() if cid}
            ids |= {selector.verified_id} - {""}
            chat_ids = set(direct) | await linked_chats(conn, ids)
            chat_ids |= {chat_id for chat_id, c in live.items() if c.id and c.id in ids}
            customers = await customers_by_id(conn, ids)
        archived = {a.chat.id: a for a in await self._store.load_many(sorted(chat_ids))}
        found: list[PersonChat] = []
        for chat_id in sorted(chat_ids):
            chat = await self._chats.get(chat_id) if chat_id in live else None
            if chat is not None:
                found.append(PersonChat(chat, await self._stream.read_all(chat_id), True, chat_id in archived))
            elif chat_id in archived:
                found.append(PersonChat(archived[chat_id].chat, archived[chat_id].events, False, True))
        found.sort(key=lambda c: (c.chat.created_at, c.chat.id))
        return Person(selector, customers, found)

    async def _live_customers(self) -> dict[str, Customer]:
        """Every chat Redis holds, with its customer: open chats, and closed ones until their live state expires."""
        prefix = self._keys.chat("")
        keys: list[str] = []
        async for key in self._redis.scan_iter(match=f"{prefix}*", count=SCAN_BATCH, _type="HASH"):
            if ":" not in key.removeprefix(prefix):
                keys.append(key)
        found: dict[str, Customer] = {}
        for start in range(0, len(keys), SCAN_BATCH):
            batch = keys[start:start + SCAN_BATCH]
            async with self._redis.pipeline(transaction=False) as pipe:
                for key in batch:
                    pipe.hget(key, "customer")
                raws = await pipe.execute()
            for key, raw in zip(batch, raws, strict=True):
                try:
                    found[key.removeprefix(prefix)] = Customer.model_validate_json(raw)
                except (ValidationError, TypeError):
                    continue  # not a chat record (or a broken one): nobody's data can be read from it
        return found
