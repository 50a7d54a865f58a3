"""The routing engine's entry point (first cut: queueing and closing; offers come next)."""

from redis.asyncio import Redis

from bridge.clock import now
from bridge.config.root import BridgeConfig
from bridge.domain.chat import ChatState
from bridge.domain.events import ChatEvent, EventKind
from bridge.events.stream import ChatStream
from bridge.keys import Keys


class Router:
    def __init__(self, redis: Redis, keys: Keys, config: BridgeConfig, stream: ChatStream) -> None:
        self._redis = redis
        self._keys = keys
        self._config = config
        self._stream = stream

    async def escalate(self, chat_id: str) -> None:
        await self._redis.hset(self._keys.chat(chat_id), mapping={"state": ChatState.WAITING, "escalated_at": now()})
        await self._stream.append(ChatEvent(chat_id=chat_id, kind=EventKind.QUEUED, ts=now()))

    async def close(self, chat_id: str, reason: str, by: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(self._keys.chat(chat_id), mapping={"state": ChatState.CLOSED, "closed_at": now(),
                                                          "close_reason": reason})
            pipe.srem(self._keys.open_chats, chat_id)
            await pipe.execute()
        await self._stream.append(ChatEvent(chat_id=chat_id, kind=EventKind.CLOSED, ts=now(),
                                            data={"reason": reason, "by": by}))

    async def agent_chat_ids(self, agent_id: str) -> list[str]:
        return []
