"""What is not the client's fault still answers in the API's shape: with Redis away a route says 503 with
Retry-After, and a WebSocket gets an error frame and a close frame (1013, try again later) instead of a
dropped connection or a plain-text 500."""

import asyncio
import json
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed

from bridge.bootstrap import connect_redis
from bridge.embedded_redis import EmbeddedRedis
from tests.widget.conftest import auth, open_socket, running_bridge


async def test_with_redis_away_routes_answer_503_and_sockets_close_with_a_reason(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path / "redis", appendonly=False)
    server.start()
    redis = connect_redis(server.url)
    try:
        async with running_bridge(tmp_path, redis, server.url) as bridge:
            async with bridge.client() as c:
                chat = await bridge.start_chat(c, message="hello")
                server.stop()
                try:
                    shown = await c.get(f"/api/v1/chats/{chat['chat_id']}", headers=auth(chat))
                    async with open_socket(bridge, chat) as ws, asyncio.timeout(10):
                        frame = json.loads(await ws.recv())
                        with pytest.raises(ConnectionClosed):
                            await ws.recv()
                finally:
                    server.start()  # on the same port, so the bridge stops cleanly
    finally:
        server.stop()
        await redis.aclose()
    assert (shown.status_code, shown.json()["error"], shown.headers["retry-after"]) == (503, "unavailable", "5")
    assert (frame["type"], frame["error"], ws.close_code) == ("error", "unavailable", 1013)
