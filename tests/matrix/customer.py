"""A customer using the widget's HTTP API, as widget.js does: start, talk, send files, catch up on events."""

import asyncio
from collections.abc import Callable
from typing import Any

import httpx


class WidgetCustomer:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.chat_id = ""
        self.events: list[dict[str, Any]] = []
        self._after = "0"
        self._auth: dict[str, str] = {}

    async def start(self, name: str, message: str, topic: str = "question") -> None:
        resp = await self.http.post("/api/v1/chats", json={"name": name, "topic": topic, "message": message})
        assert resp.status_code == 201, resp.text
        body = resp.json()
        self.chat_id, self._auth = body["chat_id"], {"Authorization": f"Bearer {body['token']}"}

    async def escalate(self) -> None:
        resp = await self.http.post(f"/api/v1/chats/{self.chat_id}/escalate", headers=self._auth)
        assert resp.status_code == 200, resp.text

    async def say(self, text: str) -> None:
        resp = await self.http.post(f"/api/v1/chats/{self.chat_id}/messages", json={"text": text},
                                    headers=self._auth)
        assert resp.status_code == 201, resp.text

    async def send_file(self, filename: str, data: bytes, content_type: str) -> None:
        resp = await self.http.post(f"/api/v1/chats/{self.chat_id}/attachments",
                                    files={"file": (filename, data, content_type)}, headers=self._auth)
        assert resp.status_code == 201, resp.text

    async def fetch(self, url: str) -> bytes:
        resp = await self.http.get(url, headers=self._auth)
        assert resp.status_code == 200, resp.text
        return resp.content

    async def state(self) -> str:
        resp = await self.http.get(f"/api/v1/chats/{self.chat_id}", headers=self._auth)
        return str(resp.json()["state"])

    async def wait_for(self, match: Callable[[dict[str, Any]], bool], timeout: float = 30.0) -> dict[str, Any]:
        """Catches up with `after=` (as the widget does after a reconnect) until an event matches."""
        async with asyncio.timeout(timeout):
            while True:
                if found := next((e for e in self.events if match(e)), None):
                    return found
                resp = await self.http.get(f"/api/v1/chats/{self.chat_id}/events", params={"after": self._after},
                                           headers=self._auth)
                page = resp.json()
                self.events += page["events"]
                self._after = page["last_event_id"]
                if not page["events"]:
                    await asyncio.sleep(0.1)
