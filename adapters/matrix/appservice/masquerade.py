"""Client-server calls made with the `as_token`, as the bot or as one of its ghosts (`?user_id=`).

nio has no notion of masquerading, so these few calls (register, profile, join, send, typing, receipt)
go straight over aiohttp; failures come back as the same `MatrixError` nio's answers become, so the
poster's and outbox's retry rules apply unchanged.

An appservice's sends have no device, so Synapse remembers their transaction ids only in memory: a send
that reached it just before it went down would be taken again after its restart. So every post carries its
txn id in its content (`TXN_FIELD`), and a post that may already have been made is looked for first.
"""

import json
import time
from typing import Any
from urllib.parse import quote

import aiohttp
from nio import ErrorResponse

from adapters.matrix.client import MatrixError

CLIENT = "/_matrix/client/v3"
TXN_FIELD = "io.csr-bridge.txn"
GATEWAY_ERRORS = (502, 503, 504)
LOOK_BACK = 200
"""Recent room events searched for a post that may have been made (other lanes post meanwhile)."""


class Masquerade:
    def __init__(self, homeserver: str, as_token: str) -> None:
        self._base = homeserver.rstrip("/")
        self._headers = {"Authorization": f"Bearer {as_token}", "Content-Type": "application/json"}
        self._session: aiohttp.ClientSession | None = None
        self.unreachable_at = 0.0
        """When a call last found the homeserver away (epoch seconds): events it had queued for us may be lost."""

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def call(self, method: str, path: str, body: dict[str, Any] | None, user_id: str = "",
                   what: str = "", api: str = CLIENT, query: dict[str, str] | None = None) -> dict[str, Any]:
        """One call; `user_id` acts as that ghost. Raises MatrixError for an error answer."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        params = {**(query or {}), **({"user_id": user_id} if user_id else {})}
        data = json.dumps(body) if body is not None else None
        try:
            async with self._session.request(method, self._base + api + path, params=params, headers=self._headers,
                                             data=data) as resp:
                try:
                    answer = await resp.json(content_type=None)
                except ValueError:
                    answer = {}
                if resp.status >= 400 or not isinstance(answer, dict):
                    if resp.status in GATEWAY_ERRORS and api == CLIENT:  # a proxy before a homeserver that is away
                        self.unreachable_at = time.time()
                    error = ErrorResponse.from_dict(answer if isinstance(answer, dict) else {})
                    raise MatrixError(what or f"{method} {path.split('?')[0]}", error, resp.status)
                return answer
        except (aiohttp.ClientError, OSError, TimeoutError):
            self.unreachable_at = time.time()
            raise

    async def recent(self, room_id: str, since_ms: int, pages: int = 5) -> list[dict[str, Any]]:
        """The room's events from `since_ms` on (origin_server_ts), oldest first, each with its room id."""
        found: list[dict[str, Any]] = []
        query = {"dir": "b", "limit": str(LOOK_BACK)}
        for _ in range(pages):
            answer = await self.call("GET", f"/rooms/{quote(room_id, safe='')}/messages", None, "",
                                     f"read {room_id}", query=query)
            chunk = [e for e in answer.get("chunk") or [] if isinstance(e, dict)]
            found += [{**e, "room_id": room_id} for e in chunk if int(e.get("origin_server_ts") or 0) >= since_ms]
            older = any(int(e.get("origin_server_ts") or 0) < since_ms for e in chunk)
            if older or not chunk or not answer.get("end"):
                break
            query = {**query, "from": str(answer["end"])}
        return list(reversed(found))

    async def joined_rooms(self) -> list[str]:
        answer = await self.call("GET", "/joined_rooms", None, "", "joined rooms")
        return [r for r in answer.get("joined_rooms") or [] if isinstance(r, str)]

    async def ping(self, appservice_id: str) -> None:
        """Asks the homeserver to call our /ping: proves it reaches the bridge, and ends its backoff if it
        had given up on us for a while (Synapse retries a down appservice ever more slowly)."""
        await self.call("POST", f"/appservice/{quote(appservice_id, safe='')}/ping", {}, "", "ping",
                        api="/_matrix/client/v1")

    async def send(self, room_id: str, event_type: str, content: dict[str, Any], tx_id: str, user_id: str = "",
                   maybe_sent: bool = False) -> str:
        """Posts as `user_id` (the bot when empty); with `maybe_sent`, returns the post already made, if any."""
        if maybe_sent and (found := await self.find_sent(room_id, event_type, tx_id, user_id)):
            return found
        path = f"/rooms/{quote(room_id, safe='')}/send/{quote(event_type, safe='')}/{quote(tx_id, safe='')}"
        answer = await self.call("PUT", path, {**content, TXN_FIELD: tx_id}, user_id,
                                 f"send to {room_id} as {user_id or 'the bot'}")
        return str(answer.get("event_id", ""))

    async def find_sent(self, room_id: str, event_type: str, tx_id: str, user_id: str = "") -> str:
        """The id of a recent event in the room carrying `tx_id`, or ""."""
        query = {"dir": "b", "limit": str(LOOK_BACK), "filter": json.dumps({"types": [event_type]})}
        answer = await self.call("GET", f"/rooms/{quote(room_id, safe='')}/messages", None, user_id,
                                 f"look for a post in {room_id}", query=query)
        for event in answer.get("chunk") or []:
            if isinstance(event, dict) and (event.get("content") or {}).get(TXN_FIELD) == tx_id:
                return str(event.get("event_id", ""))
        return ""

    async def typing(self, room_id: str, user_id: str, typing: bool, timeout_ms: int) -> None:
        path = f"/rooms/{quote(room_id, safe='')}/typing/{quote(user_id, safe='')}"
        body: dict[str, Any] = {"typing": typing, **({"timeout": timeout_ms} if typing else {})}
        await self.call("PUT", path, body, user_id, "typing")

    async def receipt(self, room_id: str, event_id: str, user_id: str, thread_id: str) -> None:
        path = f"/rooms/{quote(room_id, safe='')}/receipt/m.read/{quote(event_id, safe='')}"
        await self.call("POST", path, {"thread_id": thread_id} if thread_id else {}, user_id, "receipt")
