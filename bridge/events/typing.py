"""Typing indicators: short-lived, so never stored in a chat's event stream.

Each side's state sits in a small Redis hash with an expiry per entry, and a `typing:ID` change on
the feed tells every process to look again, so all `serve` processes show the same thing. The widget
sets the customer side; a CSR adapter that sees its platform's typing events sets the agent side and
can follow the customer's with `feed.subscribe("typing", handler)`.
"""

import json
from dataclasses import dataclass

from redis.asyncio import Redis

from bridge.clock import now
from bridge.events.feed import ChangeFeed
from bridge.keys import Keys
from bridge.redis_text import text_hash, text_or_none

TYPING_SECONDS = 6.0
"""How long one 'typing' signal lasts unless renewed; clients renew every few seconds while typing."""
RENEW_SECONDS = 2.0
"""A renewal sooner than this after the last changes nothing: however often an adapter calls, one side's
typing announces at most one change every two seconds."""


@dataclass(frozen=True)
class Typist:
    name: str
    until: float

    @property
    def since(self) -> float:
        """When this signal was sent: a message from the same side after it means they stopped."""
        return self.until - TYPING_SECONDS


class TypingSignals:
    def __init__(self, redis: Redis, keys: Keys, feed: ChangeFeed) -> None:
        self._redis = redis
        self._keys = keys
        self._feed = feed

    async def set(self, chat_id: str, side: str, name: str, typing: bool) -> None:
        """`side` is "customer" or "agent"; `typing=False` clears it at once (e.g. on send)."""
        key = self._keys.chat_typing(chat_id)
        if typing:
            held = text_or_none(await self._redis.hget(key, side))
            if held is not None and _renewed_lately(Typist(**json.loads(held)), name):
                return
            value = json.dumps({"name": name, "until": now() + TYPING_SECONDS})
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hset(key, side, value)
                pipe.expire(key, int(TYPING_SECONDS * 10))
                await pipe.execute()
        elif not await self._redis.hdel(key, side):
            return
        await self._feed.publish("typing", chat_id)

    async def current(self, chat_id: str) -> dict[str, Typist]:
        """Side -> who is typing there right now; a renewed signal compares unequal to the one before."""
        raw = text_hash(await self._redis.hgetall(self._keys.chat_typing(chat_id)))
        moment = now()
        typists = {side: Typist(**json.loads(value)) for side, value in raw.items()}
        return {side: t for side, t in typists.items() if t.until > moment}


def _renewed_lately(held: Typist, name: str) -> bool:
    return held.name == name and held.until > now() and now() - held.since < RENEW_SECONDS
