"""The customer's reactions in a chat's thread: the bridge's `m.reaction` on the message it went on.

The customer reacts on a CSR's message: the CSR's own Matrix event (its origin) or the bridge's post of it
(adapters.matrix.posts). Taking a reaction back redacts the one the bridge sent, remembered per chat. A
message never shown on Matrix, or a reaction not sent before, changes nothing here.
"""

import logging

from nio import AsyncClient
from redis.asyncio import Redis

from adapters.matrix.poster import Poster, txn_id
from adapters.matrix.posts import matrix_event_of
from adapters.matrix.relations import reaction
from bridge.domain.events import AuthorKind, ChatEvent
from bridge.keys import Keys
from bridge.ports import EventReader, ThreadRef
from bridge.redis_text import text_or_none

log = logging.getLogger(__name__)


class CustomerReactions:
    def __init__(self, client: AsyncClient, poster: Poster, redis: Redis, keys: Keys, events: EventReader) -> None:
        self._client = client
        self._poster = poster
        self._redis = redis
        self._keys = keys
        self._events = events

    async def deliver(self, thread: ThreadRef, event: ChatEvent) -> None:
        if event.author.kind is not AuthorKind.CUSTOMER:
            return  # a CSR's reaction was made on their platform already
        target, key = str(event.data.get("target", "")), str(event.data.get("key", ""))
        sent, field = self._keys.matrix_reactions(event.chat_id), f"{target}|{key}"
        mine = text_or_none(await self._redis.hget(sent, field))
        if event.data.get("removed"):
            if mine:
                await self._poster.request(lambda: self._client.room_redact(
                    thread.conversation, mine, tx_id=txn_id(f"unreact.{event.id}")), f"redact reaction {mine}")
                await self._redis.hdel(sent, field)
            return
        on = await matrix_event_of(self._redis, self._keys, self._events, event.chat_id, target)
        if mine or on is None:
            if on is None:
                log.info("reaction %s of chat %s not shown on Matrix: its message is not known here", event.id,
                         event.chat_id)
            return
        posted = await self._poster.send(thread.conversation, reaction(on, key), txn_id(f"react.{event.id}"),
                                         event_type="m.reaction", attempts=3)
        await self._redis.hset(sent, field, posted)
