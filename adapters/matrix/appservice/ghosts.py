"""A ghost user per customer: `@<ghost_prefix><chat id>:server`, named after the customer, in the chat's room.

Made lazily, the first time the customer's words are posted: registered through the appservice
(`m.login.application_service`), given its display name, invited by the bot and joined. A Redis set per
room remembers the ghosts that are in it, so this costs nothing afterwards; every step is idempotent, so
a crash half-way only repeats it.
"""

import logging
from urllib.parse import quote

from redis.asyncio import Redis

from adapters.matrix.appservice.masquerade import Masquerade
from adapters.matrix.client import MatrixError
from bridge.config.matrix import MatrixConfig
from bridge.keys import Keys

log = logging.getLogger(__name__)
GHOSTS_TTL = 30 * 24 * 3600


def ghost_id(cfg: MatrixConfig, chat_id: str) -> str:
    return f"@{cfg.ghost_prefix}{chat_id}:{cfg.server_name}"


def chat_of_ghost(cfg: MatrixConfig, user_id: str) -> str:
    """The chat id a ghost stands for; "" for any other user."""
    head, _, server = user_id.partition(":")
    prefix = f"@{cfg.ghost_prefix}"
    return head[len(prefix):] if head.startswith(prefix) and server == cfg.server_name else ""


class Ghosts:
    def __init__(self, masquerade: Masquerade, redis: Redis, keys: Keys, cfg: MatrixConfig) -> None:
        self._as = masquerade
        self._redis = redis
        self._keys = keys
        self._cfg = cfg

    def is_ghost(self, user_id: str) -> bool:
        return bool(chat_of_ghost(self._cfg, user_id))

    async def joined(self, room_id: str, user_id: str) -> bool:
        return bool(await self._redis.sismember(self._keys.matrix_ghost(room_id), user_id))

    async def forget(self, room_id: str, user_id: str) -> None:
        """The homeserver says the ghost is not in the room after all: `ensure` joins it again."""
        await self._redis.srem(self._keys.matrix_ghost(room_id), user_id)

    async def ensure(self, room_id: str, user_id: str, name: str) -> None:
        """The ghost exists, carries the customer's name and is in the room."""
        if await self.joined(room_id, user_id):
            return
        await self.register(user_id)
        display = self._cfg.ghost_display_name.replace("{name}", name or "Customer")
        await self._as.call("PUT", f"/profile/{quote(user_id, safe='')}/displayname", {"displayname": display},
                            user_id, "set a ghost's name")
        try:
            await self._as.call("POST", f"/rooms/{quote(room_id, safe='')}/invite", {"user_id": user_id}, "",
                                "invite a ghost")
        except MatrixError as exc:
            if exc.errcode != "M_FORBIDDEN":  # already in the room (or invited)
                raise
        await self._as.call("POST", f"/join/{quote(room_id, safe='')}", {}, user_id, "join a ghost")
        key = self._keys.matrix_ghost(room_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.sadd(key, user_id)
            pipe.expire(key, GHOSTS_TTL)
            await pipe.execute()
        log.info("ghost %s joined %s", user_id, room_id)

    async def register(self, user_id: str) -> None:
        localpart = user_id[1:].split(":", 1)[0]
        try:
            await self._as.call("POST", "/register", {"type": "m.login.application_service", "username": localpart,
                                                      "inhibit_login": True}, "", "register a ghost")
        except MatrixError as exc:
            if exc.errcode != "M_USER_IN_USE":
                raise
