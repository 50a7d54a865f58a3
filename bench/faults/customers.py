"""A customer on the widget, as widget.js behaves: one WebSocket kept open (resuming after the last event
it saw whenever it drops), each message sent with its own client id until the bridge acknowledges it."""

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

ACK_TIMEOUT = 5.0
RETRY_PAUSE = 0.3


async def persist(call: Callable[[], Awaitable[httpx.Response]], ok: tuple[int, ...] = (200, 201),
                  timeout: float = 180.0) -> httpx.Response:
    """Repeats an HTTP call until it is answered with one of `ok` (a person would press the button again)."""
    async with asyncio.timeout(timeout):
        while True:
            try:
                resp = await call()
                if resp.status_code in ok:
                    return resp
            except httpx.TransportError:
                pass
            await asyncio.sleep(RETRY_PAUSE)


@dataclass
class WidgetCustomer:
    base_url: str
    name: str
    chat_id: str = ""
    token: str = ""
    last_id: str = "0"
    received: list[dict[str, Any]] = field(default_factory=list)
    """Every event the socket delivered, in arrival order, repeats included."""
    drops: int = 0
    _ws: ClientConnection | None = None
    _connected: asyncio.Event = field(default_factory=asyncio.Event)
    _acks: dict[str, asyncio.Future[str]] = field(default_factory=dict)

    async def start(self, http: httpx.AsyncClient) -> None:
        """Opens the chat and asks for a person."""
        started = (await persist(lambda: http.post("/api/v1/chats", json={"name": self.name, "topic": "question"}),
                                 (201,))).json()
        self.chat_id, self.token = started["chat_id"], started["token"]
        await persist(lambda: http.post(f"/api/v1/chats/{self.chat_id}/escalate",
                                        headers={"Authorization": f"Bearer {self.token}"}))

    async def keep_connected(self) -> None:
        """Runs until cancelled: reads frames, and reconnects after the last event seen when the socket drops (to
        `base_url` as it is then: a load balancer may have moved this customer to another host)."""
        while True:
            ws_url = self.base_url.replace("http://", "ws://", 1) + f"/api/v1/chats/{self.chat_id}/ws"
            try:
                url = f"{ws_url}?token={self.token}&after={self.last_id}"
                async with connect(url, origin=self.base_url, proxy=None, open_timeout=5,  # type: ignore[arg-type]
                                   close_timeout=1) as ws:
                    self._ws = ws
                    self._connected.set()
                    async for raw in ws:
                        self._on_frame(json.loads(raw))
            except asyncio.CancelledError:
                raise
            except Exception:  # refused, reset or closed: a browser would simply try again
                pass
            finally:
                self._connected.clear()
                self._ws = None
            self.drops += 1
            await asyncio.sleep(RETRY_PAUSE)

    def _on_frame(self, frame: dict[str, Any]) -> None:
        if frame.get("type") == "event":
            self.received.append(frame["event"])
            self.last_id = frame["event"]["id"]
        elif frame.get("type") == "ack":
            future = self._acks.get(frame.get("client_msg_id", ""))
            if future is not None and not future.done():
                future.set_result(frame.get("event_id", ""))

    async def say(self, text: str, client_msg_id: str) -> None:
        """Sends until acknowledged; a resend after a drop carries the same client id, so it is stored once."""
        while True:
            await self._connected.wait()
            future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
            self._acks[client_msg_id] = future
            try:
                ws = self._ws
                if ws is None:
                    continue
                await ws.send(json.dumps({"type": "message", "text": text, "client_msg_id": client_msg_id}))
                await asyncio.wait_for(future, ACK_TIMEOUT)
                return
            except Exception:  # dropped or unanswered: wait for the next connection and send again
                await asyncio.sleep(RETRY_PAUSE)
            finally:
                self._acks.pop(client_msg_id, None)

    def csr_texts(self) -> list[str]:
        """What CSRs said, as this customer's socket delivered it."""
        return [e["text"] for e in self.received if e["kind"] == "message" and e["author"]["kind"] == "agent"]


async def close_all(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
