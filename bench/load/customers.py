"""A simulated customer: starts a chat over HTTP, listens on the widget WebSocket, escalates, and sends
messages with client ids over the socket, as widget.js does. Every CSR reply it receives is timed on
arrival, which is the bridge's edge on the customer side.
"""

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.load.tracking import Arrivals, customer_token

ORIGIN = "http://bench.example"
QUESTION = "hello, my parcel has not arrived yet and the tracking page shows nothing since Monday"


class CustomerError(Exception):
    pass


@dataclass
class Customer:
    index: int
    base_url: str
    topic: str
    session: aiohttp.ClientSession
    inbox: Arrivals
    """Shared by all customers: the CSR replies (r-tokens) each socket received."""
    chat_id: str = ""
    token: str = ""
    acks: int = 0
    errors: list[str] = field(default_factory=list)
    _ws: aiohttp.ClientWebSocketResponse | None = None
    _reader: asyncio.Task[None] | None = None

    @property
    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Origin": ORIGIN}

    async def start(self) -> None:
        body = {"name": f"Customer {self.index}", "topic": self.topic,
                "message": f"{customer_token(self.index, 0)} {QUESTION}", "client_msg_id": f"b{self.index}x0"}
        started = await self._post("/api/v1/chats", body, {"Origin": ORIGIN})
        self.chat_id, self.token = started["chat_id"], started["token"]

    async def connect(self) -> None:
        url = f"{self.base_url.replace('http', 'ws', 1)}/api/v1/chats/{self.chat_id}/ws?token={self.token}"
        self._ws = await self.session.ws_connect(url, headers={"Origin": ORIGIN}, heartbeat=None)
        self._reader = asyncio.create_task(self._read(self._ws))

    async def escalate(self) -> float:
        """Returns the wall-clock time the request left, the start of escalation-to-offer."""
        sent = time.time()
        await self._post(f"/api/v1/chats/{self.chat_id}/escalate", {}, self._auth)
        return sent

    async def say(self, seq: int, text: str) -> float:
        """Sends one message over the socket; returns the time it left."""
        assert self._ws is not None
        frame = {"type": "message", "text": f"{customer_token(self.index, seq)} {text}",
                 "client_msg_id": f"b{self.index}x{seq}"}
        sent = time.time()
        await self._ws.send_str(json.dumps(frame))
        return sent

    async def close(self) -> None:
        with contextlib.suppress(CustomerError, aiohttp.ClientError):
            await self._post(f"/api/v1/chats/{self.chat_id}/close", {}, self._auth)
        await self.disconnect()

    async def disconnect(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for msg in ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            frame: dict[str, Any] = json.loads(msg.data)
            if frame.get("type") == "event" and frame["event"]["author"]["kind"] == "agent":
                self.inbox.saw(frame["event"]["text"], time.time())
            elif frame.get("type") == "ack":
                self.acks += 1
            elif frame.get("type") == "error":
                self.errors.append(f"socket: {frame.get('error')}")

    async def _post(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        async with self.session.post(self.base_url + path, json=body, headers=headers) as response:
            data = await response.json(content_type=None)
            if response.status >= 300:
                self.errors.append(f"{path.rsplit('/', 1)[-1]}: {response.status} {data.get('error')}")
                raise CustomerError(f"{path} answered {response.status}: {data}")
            return dict(data)
