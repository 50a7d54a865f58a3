"""The bot's login and rooms (in appservice mode, the bot acts with the `as_token` instead of logging in).

The device id and access token live in Redis (`adapter_state("matrix")`), so a restart, or a second
`serve` process, reuses the same device instead of creating a new one each time; the homeserver's
txn-id deduplication is per device, which is what makes our retried sends idempotent across restarts.
"""

import logging
import time

from nio import AsyncClient, JoinedRoomsResponse, LoginResponse, WhoamiResponse
from redis.asyncio import Redis

from adapters.matrix.client import MatrixError, ok
from adapters.matrix.poster import Poster
from bridge.config.matrix import MatrixConfig
from bridge.config.places import all_places
from bridge.keys import Keys
from bridge.redis_text import texts_or_none

log = logging.getLogger(__name__)

REJOIN_EVERY_SECONDS = 60.0


class Session:
    def __init__(self, client: AsyncClient, poster: Poster, redis: Redis, keys: Keys, config: MatrixConfig) -> None:
        self._client = client
        self._poster = poster
        self._redis = redis
        self._keys = keys
        self._config = config
        self.queue_rooms: dict[str, tuple[str, ...]] = {}
        """Queue name -> the room ids the bot is in, resolved from the configured ids or aliases."""
        self.supervisors_room = ""
        self._retry_at: dict[str, float] = {}

    @property
    def _state(self) -> str:
        return self._keys.adapter_state("matrix")

    async def login(self) -> None:
        if self._config.appservice:
            await self._appservice()
            return
        async with self._redis.lock(self._keys.lock("matrix-login"), timeout=60, blocking_timeout=60):
            token = self._config.access_token.get_secret_value()
            if token:
                await self._adopt(token, "")
                return
            saved = texts_or_none(await self._redis.hmget(self._state, ["user_id", "device_id", "access_token"]))
            if saved[0] == self._config.user_id and saved[2] and await self._adopt(saved[2], saved[1] or ""):
                return
            self._client.device_id = saved[1] if saved[0] == self._config.user_id and saved[1] else ""
            resp = await self._client.login(self._config.password.get_secret_value(),
                                            device_name=self._config.device_name)
            login: LoginResponse = ok(resp, "login")
            await self._save(login.device_id, login.access_token)
            log.info("logged in to Matrix as %s (device %s)", login.user_id, login.device_id)

    async def _appservice(self) -> None:
        """Appservice mode: the bot acts with the registration's `as_token`; no device, nothing stored."""
        self._client.restore_login(self._config.user_id, "", self._config.as_token.get_secret_value())
        who: WhoamiResponse = ok(await self._client.whoami(), "whoami")
        if who.user_id != self._config.user_id:
            raise RuntimeError(f"the as_token belongs to {who.user_id}, not {self._config.user_id}: matrix.user_id "
                               "must be the registration's sender_localpart on this homeserver")

    async def _adopt(self, token: str, device_id: str) -> bool:
        """Uses a known token; False when the homeserver no longer accepts it (then we log in again)."""
        self._client.restore_login(self._config.user_id, device_id, token)
        try:
            who: WhoamiResponse = ok(await self._client.whoami(), "whoami")
        except MatrixError as exc:
            if exc.errcode == "M_UNKNOWN_TOKEN" and not self._config.access_token.get_secret_value():
                log.warning("the saved Matrix session was revoked; logging in again")
                self._client.access_token = ""
                return False
            raise
        if who.user_id != self._config.user_id:
            raise RuntimeError(f"the Matrix token belongs to {who.user_id}, not {self._config.user_id}")
        self._client.restore_login(who.user_id, who.device_id or device_id, token)
        await self._save(who.device_id or device_id, token)
        return True

    async def _save(self, device_id: str, token: str) -> None:
        await self._redis.hset(self._state, mapping={"user_id": self._config.user_id, "device_id": device_id,
                                                     "access_token": token})

    def is_queue_room(self, room_id: str) -> bool:
        """A room of some queue: joined, or configured by id (an alias is known once joined)."""
        return room_id in all_places(self._config.rooms) or any(room_id in r for r in self.queue_rooms.values())

    async def join_rooms(self) -> None:
        """Joins each queue's rooms and the supervisors' room; a room that fails is logged and skipped."""
        joined: JoinedRoomsResponse = ok(await self._client.joined_rooms(), "joined rooms")
        for queue in self._config.rooms:
            await self._join_queue(queue, set(joined.rooms))
        if self._config.supervisors_room:
            self.supervisors_room = await self._join(self._config.supervisors_room, set(joined.rooms),
                                                     "supervisors") or ""

    async def join(self, room: str) -> str:
        """Joins a room by id or alias; returns its id. Paced: Synapse counts a join as one of the bot's
        messages."""
        return str((await self._poster.request(lambda: self._client.join(room), f"join {room}")).room_id)

    async def decline(self, room_id: str) -> None:
        """Leaves a room the bot was invited to. Paced like a join: Synapse counts the leave as one of the bot's
        messages, and invites from strangers must not spend the slots the chats' posts need unasked."""
        await self._poster.request(lambda: self._client.room_leave(room_id), f"reject invite to {room_id}")

    async def _join(self, room: str, joined: set[str], what: str) -> str | None:
        if room in joined:
            return room
        try:
            room_id = await self.join(room)
        except MatrixError as exc:
            log.error("could not join the %s room %s: %s", what, room, exc)
            await self._redis.hset(self._keys.platform_errors("matrix"), f"room:{room}",
                                   f"the bot cannot join {room} ({exc.errcode}); invite it or fix matrix.rooms")
            return None
        await self._redis.hdel(self._keys.platform_errors("matrix"), f"room:{room}")
        return room_id

    async def _join_queue(self, queue: str, joined: set[str]) -> tuple[str, ...]:
        rooms = [await self._join(room, joined, f"queue {queue}") for room in self._config.rooms_of(queue)]
        self.queue_rooms[queue] = tuple(dict.fromkeys(r for r in rooms if r))
        return self.queue_rooms[queue]

    async def rooms_of_queue(self, queue: str) -> tuple[str, ...]:
        """The queue's rooms the bot is in, trying again (at most once a minute while some room is left) to
        join those that failed at start: the bot may have been invited since."""
        rooms = self.queue_rooms.get(queue, ())
        retry_at = self._retry_at.get(queue, 0.0)
        if len(rooms) < len(self._config.rooms_of(queue)) and (not rooms or time.monotonic() >= retry_at):
            self._retry_at[queue] = time.monotonic() + REJOIN_EVERY_SECONDS
            rooms = await self._join_queue(queue, set(rooms))
        if not rooms:
            raise LookupError(f"queue {queue} has no Matrix room the bot can join (see matrix.rooms)")
        return rooms
