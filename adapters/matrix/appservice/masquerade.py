"""Client-server calls made with the `as_token`, as the bot or as one of its ghosts (`?user_id=`).

nio has no notion of masquerading, so these few calls (register, profile, join, send, typing, receipt)
go straight over aiohttp; failures come back as the same `MatrixError` nio's answers become, so the
poster's and outbox's retry rules apply unchanged.
"""

import json
from typing import Any
from urllib.parse import quote

import aiohttp
from nio import ErrorResponse

from adapters.matrix.client import MatrixError

CLIENT = "/_matrix/client/v3"


class Masquerade:
    def __init__(self, homeserver: str, as_token: str) -> None:
        self._base = homeserver.rstrip("/")
        self._headers = {"Authorization": f"Bearer {as_token}", "Content-Type": "application/json"}
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def call(self, method: str, path: str, body: dict[str, Any] | None, user_id: str = "",
                   what: str = "", api: str = CLIENT) -> dict[str, Any]:
        """One call; `user_id` acts as that ghost. Raises MatrixError for an error answer."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        params = {"user_id": user_id} if user_id else None
        async with self._session.request(method, self._base + api + path, params=params, headers=self._headers,
                                         data=json.dumps(body if body is not None else {})) as resp:
            try:
                answer = await resp.json(content_type=None)
            except ValueError:
                answer = {}
            if resp.status >= 400 or not isinstance(answer, dict):
                error = ErrorResponse.from_dict(answer if isinstance(answer, dict) else {})
                raise MatrixError(what or f"{method} {path.split('?')[0]}", error, resp.status)
            return answer

    async def ping(self, appservice_id: str) -> None:
        """Asks the homeserver to call our /ping: proves it reaches the bridge, and ends its backoff if it
        had given up on us for a while (Synapse retries a down appservice ever more slowly)."""
        await self.call("POST", f"/appservice/{quote(appservice_id, safe='')}/ping", {}, "", "ping",
                        api="/_matrix/client/v1")

    async def send(self, room_id: str, event_type: str, content: dict[str, Any], tx_id: str, user_id: str) -> str:
        path = f"/rooms/{quote(room_id, safe='')}/send/{quote(event_type, safe='')}/{quote(tx_id, safe='')}"
        answer = await self.call("PUT", path, content, user_id, f"send to {room_id} as {user_id}")
        return str(answer.get("event_id", ""))

    async def typing(self, room_id: str, user_id: str, typing: bool, timeout_ms: int) -> None:
        path = f"/rooms/{quote(room_id, safe='')}/typing/{quote(user_id, safe='')}"
        body: dict[str, Any] = {"typing": typing, **({"timeout": timeout_ms} if typing else {})}
        await self.call("PUT", path, body, user_id, "typing")

    async def receipt(self, room_id: str, event_id: str, user_id: str, thread_id: str) -> None:
        path = f"/rooms/{quote(room_id, safe='')}/receipt/m.read/{quote(event_id, safe='')}"
        await self.call("POST", path, {"thread_id": thread_id} if thread_id else {}, user_id, "receipt")
