"""Which chat event a Slack message in a thread shows, and the other way round.

Slack names a reacted-to message by channel and ts only, so every post the bridge makes for a chat message
(a customer's burst, a CSR's words sent from elsewhere) and every CSR reply it takes in is remembered here for
as long as a reaction on it still matters.
"""

from dataclasses import dataclass

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bridge.keys import Keys
from bridge.redis_text import text_or_none

REMEMBER_SECONDS = 30 * 86400


@dataclass(frozen=True)
class Shown:
    chat_id: str
    event_id: str


@dataclass(frozen=True)
class SlackMessage:
    channel: str
    ts: str


class PostIndex:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys

    async def remember(self, chat_id: str, event_id: str, channel: str, ts: str) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            self.remember_in(pipe, chat_id, event_id, channel, ts)
            await pipe.execute()

    def remember_in(self, pipe: Pipeline, chat_id: str, event_id: str, channel: str, ts: str) -> None:
        """Queues `remember` on a caller's pipeline, to share its round trip."""
        pipe.set(self._keys.slack_post(channel, ts), f"{chat_id} {event_id}", ex=REMEMBER_SECONDS)
        pipe.set(self._keys.slack_event_post(chat_id, event_id), f"{channel} {ts}", ex=REMEMBER_SECONDS)

    async def event_of(self, channel: str, ts: str) -> Shown | None:
        raw = text_or_none(await self._redis.get(self._keys.slack_post(channel, ts)))
        return Shown(*raw.split(" ", 1)) if raw else None

    async def post_of(self, chat_id: str, event_id: str) -> SlackMessage | None:
        raw = text_or_none(await self._redis.get(self._keys.slack_event_post(chat_id, event_id)))
        return SlackMessage(*raw.split(" ", 1)) if raw else None
