"""Each CSR's direct room with the bot (offers, private replies), created on first need and remembered."""

from nio import AsyncClient, RoomPreset
from redis.asyncio import Redis

from adapters.matrix.pacer import Pacer
from adapters.matrix.poster import Poster
from bridge.config.agents import AgentConfig
from bridge.keys import Keys


class DirectRooms:
    def __init__(self, client: AsyncClient, pacer: Pacer, poster: Poster, redis: Redis, keys: Keys) -> None:
        self._client = client
        self._pacer = pacer
        self._poster = poster
        self._redis = redis
        self._keys = keys

    @property
    def _state(self) -> str:
        return self._keys.adapter_state("matrix")

    async def room_for(self, agent: AgentConfig) -> str:
        user = agent.matrix_user_id
        if room := await self._redis.hget(self._state, f"dm:{user}"):
            return str(room)
        # The pace slot first: waiting for it under the lock could outlast the lock's minute when sends queue.
        await self._pacer.acquire()
        # One creation at a time per CSR, across processes, so two offers never make two rooms.
        async with self._redis.lock(self._keys.lock(f"matrix-dm:{user}"), timeout=60, blocking_timeout=60):
            if room := await self._redis.hget(self._state, f"dm:{user}"):
                return str(room)
            resp = await self._poster.request(
                lambda: self._client.room_create(is_direct=True, invite=[user], preset=RoomPreset.trusted_private_chat,
                                                 name="CSR Bridge", topic="Chat offers and replies from CSR Bridge"),
                f"create a direct room with {user}", paced=False)
            room_id = str(resp.room_id)
            await self._redis.hset(self._state, mapping={f"dm:{user}": room_id, f"dmroom:{room_id}": user})
            return room_id

    async def owner(self, room_id: str) -> str:
        """The CSR whose direct room this is; empty for any other room."""
        return str(await self._redis.hget(self._state, f"dmroom:{room_id}") or "")

    async def forget(self, room_id: str) -> None:
        """After the room became unusable (encrypted): the next need creates a fresh one."""
        if user := await self.owner(room_id):
            await self._redis.hdel(self._state, f"dm:{user}", f"dmroom:{room_id}")
