"""Read-only views of routing state for commands, presenters and tests (writes go through the scripts)."""

from dataclasses import dataclass

from redis.asyncio import Redis

from bridge.domain.agent import Presence
from bridge.domain.offer import Offer
from bridge.keys import Keys
from bridge.redis_text import text_list, text_set


@dataclass(frozen=True)
class AgentState:
    agent_id: str
    presence: Presence
    load: int
    pending: int
    capacity: int
    queues: tuple[str, ...]
    """Queues the CSR has joined (and is skilled for)."""
    missed: int
    presence_since: float = 0.0
    """When the presence was last set; 0 when never recorded."""
    available_since: float = 0.0


class RoutingState:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys

    async def offer(self, offer_id: str) -> Offer | None:
        data = await self._redis.hgetall(self._keys.offer(offer_id))
        return Offer.model_validate(data) if data else None

    async def agent(self, agent_id: str) -> AgentState | None:
        k = self._keys
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(k.agent(agent_id))
            pipe.smembers(k.agent_queues(agent_id))
            data, queues = await pipe.execute()
        if not data:
            return None
        return AgentState(agent_id=agent_id, presence=Presence(data.get("presence", "offline")),
                          load=int(data.get("load", 0)), pending=int(data.get("pending", 0)),
                          capacity=int(data.get("capacity", 0)), queues=tuple(sorted(queues)),
                          missed=int(data.get("missed", 0)),
                          presence_since=float(data.get("presence_since") or 0),
                          available_since=float(data.get("available_since") or 0))

    async def agent_chat_ids(self, agent_id: str) -> list[str]:
        return sorted(text_set(await self._redis.smembers(self._keys.agent_chats(agent_id))))

    async def agent_offer_ids(self, agent_id: str) -> list[str]:
        return sorted(text_set(await self._redis.smembers(self._keys.agent_offers(agent_id))))

    async def chat_offer_ids(self, chat_id: str) -> list[str]:
        return sorted(text_set(await self._redis.smembers(self._keys.chat_offers(chat_id))))

    async def waiting(self, queue: str) -> list[str]:
        return text_list(await self._redis.zrange(self._keys.queue_waiting(queue), 0, -1))

    async def pending_offer_ids(self) -> list[str]:
        return text_list(await self._redis.zrange(self._keys.offers_pending, 0, -1))

    async def pending_offer_routes(self) -> list[tuple[str | None, str | None, str | None]]:
        """(queue, chat id, transfer_from) of each pending offer, in one round trip; None where the offer is gone."""
        ids = await self.pending_offer_ids()
        async with self._redis.pipeline(transaction=False) as pipe:
            for offer_id in ids:
                pipe.hmget(self._keys.offer(offer_id), ["queue", "chat_id", "transfer_from"])
            return [(queue, chat_id, transfer_from) for queue, chat_id, transfer_from in await pipe.execute()]

    async def unstaffed(self, queues: list[str]) -> list[str]:
        """Queues with no CSR signed in who could take them (their customers are sent on, or leave a message)."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for queue in queues:
                pipe.scard(self._keys.queue_signed_in(queue))
            counts = await pipe.execute()
        return [q for q, n in zip(queues, counts, strict=True) if not n]

    async def left_messages(self, queues: list[str]) -> dict[str, int]:
        """Left messages nobody has claimed yet, per queue."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for queue in queues:
                pipe.zcard(self._keys.queue_messages(queue))
            counts = await pipe.execute()
        return {q: int(n) for q, n in zip(queues, counts, strict=True)}

    async def due_timers(self, before: float, limit: int = 200) -> list[str]:
        return text_list(await self._redis.zrangebyscore(self._keys.routing_timers, "-inf", before, start=0, num=limit))
