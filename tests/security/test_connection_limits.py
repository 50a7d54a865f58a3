"""Connections are bounded: a request head must arrive in time (slowloris), and a chat and a client address
may hold only so many WebSockets, counted in Redis so several `serve` processes agree.

An outside probe kept 400 sockets open by sending headers a byte every 10 s, and opened 500 WebSockets
on one chat token: all were accepted.
"""

import asyncio
import contextlib
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from adapters.widget.socket_slots import Limit, SocketSlots
from bridge.bootstrap import connect_redis
from bridge.embedded_redis import EmbeddedRedis
from bridge.keys import Keys
from tests.security.live_serve import live_serve
from tests.widget.conftest import Served, open_socket, running_bridge

SLOW_SOCKETS = 200
IDLE_SOCKETS = 50


async def _slowloris(port: int, stop: asyncio.Event, closed_at: list[float]) -> None:
    """A request head sent a byte every 0.25 s, never finished; notes when the server hangs up."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 1000
    try:
        for byte in head:
            if stop.is_set():
                return
            writer.write(bytes([byte]))
            with contextlib.suppress(TimeoutError):
                if await asyncio.wait_for(reader.read(1), 0.25) == b"":
                    closed_at.append(time.monotonic())
                    return
    except ConnectionError:
        closed_at.append(time.monotonic())
    finally:
        writer.close()


async def _idle(port: int, stop: asyncio.Event, closed_at: list[float]) -> None:
    """Connects and sends nothing at all."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        done = asyncio.create_task(stop.wait())
        read = asyncio.create_task(reader.read(1))
        await asyncio.wait({done, read}, return_when=asyncio.FIRST_COMPLETED)
        if read.done():
            closed_at.append(time.monotonic())
        done.cancel()
        read.cancel()
    finally:
        writer.close()


async def test_slow_and_silent_request_heads_are_cut_off_while_others_are_served(tmp_path: Path, redis_url: str,
                                                                                redis: Redis) -> None:
    timeout = 2.0
    async with live_serve(tmp_path, redis_url, server={"header_timeout_seconds": timeout}) as serve:
        stop, closed_at = asyncio.Event(), []
        started = time.monotonic()
        attack = [asyncio.create_task(_slowloris(serve.port, stop, closed_at)) for _ in range(SLOW_SOCKETS)]
        attack += [asyncio.create_task(_idle(serve.port, stop, closed_at)) for _ in range(IDLE_SOCKETS)]
        await asyncio.sleep(timeout / 2)
        early = len(closed_at)
        async with httpx.AsyncClient(base_url=serve.url, timeout=5, trust_env=False) as c:
            served = (await c.get("/healthz")).status_code
        await asyncio.sleep(timeout * 2.5)
        stop.set()
        await asyncio.gather(*attack)
    assert early == 0, "nobody is cut off before the time is up"
    assert served == 200, "a normal request is served during the attack"
    assert len(closed_at) == SLOW_SOCKETS + IDLE_SOCKETS, "every slow or silent connection was closed"
    assert max(closed_at) - started < timeout * 2.5


async def _refusal(ws: ClientConnection) -> tuple[str, int | None]:
    async with asyncio.timeout(5):
        frame = json.loads(await ws.recv())
        with pytest.raises(ConnectionClosed):
            await ws.recv()
    return frame.get("error", frame["type"]), ws.close_code


async def _start(bridge: Served, name: str = "Ann") -> dict[str, Any]:
    async with bridge.client() as c:
        return await bridge.start_chat(c, name=name, message="hello")


async def test_sockets_per_chat_are_bounded_across_serve_processes(tmp_path: Path, redis: Redis,
                                                                   redis_url: str) -> None:
    limits = {"widget": {"sockets_per_chat": 3, "sockets_per_address": 100}}
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    async with running_bridge(tmp_path / "a", redis, redis_url, **limits) as a, \
            running_bridge(tmp_path / "b", redis, redis_url, **limits) as b:
        chat = await _start(a)
        async with contextlib.AsyncExitStack() as stack:
            for bridge in (a, a, b):
                ws = await stack.enter_async_context(open_socket(bridge, chat))
                assert json.loads(await ws.recv())["type"] in ("event", "typing")
            async with open_socket(b, chat) as ws:
                refused = await _refusal(ws)
            async with open_socket(a, chat) as ws:
                refused_too = await _refusal(ws)
        async with open_socket(b, chat) as ws:  # all closed: a place again
            back = json.loads(await ws.recv())["type"]
    assert refused == refused_too == ("too_many_sockets", 4429)
    assert back == "event"


async def test_sockets_per_address_are_bounded_over_all_chats(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    async with running_bridge(tmp_path, redis, redis_url,
                              widget={"sockets_per_chat": 5, "sockets_per_address": 4}) as bridge:
        chats = [await _start(bridge, f"C{i}") for i in range(3)]
        async with contextlib.AsyncExitStack() as stack:
            for chat in (chats[0], chats[0], chats[1], chats[2]):
                await stack.enter_async_context(open_socket(bridge, chat))
            async with open_socket(bridge, chats[2]) as ws:
                refused = await _refusal(ws)
    assert refused == ("too_many_sockets", 4429)


async def test_the_sockets_of_a_process_that_stopped_beating_no_longer_count(tmp_path: Path, redis: Redis,
                                                                             redis_url: str) -> None:
    async with running_bridge(tmp_path, redis, redis_url, widget={"sockets_per_chat": 2}) as bridge:
        chat = await _start(bridge)
        keys = bridge.app.keys
        sockets = keys.widget_sockets("chat", chat["chat_id"])
        await redis.sadd(sockets, "crashed:1", "crashed:2")  # a killed process' places; its beat ran out
        await redis.zadd(keys.widget_socket_processes, {"crashed": time.time() - 1})
        async with open_socket(bridge, chat) as ws:
            kind = json.loads(await ws.recv())["type"]
            members = await redis.smembers(sockets)
    assert kind == "event"
    assert len(members) == 1 and not any(m.startswith("crashed:") for m in members)
    assert await redis.smembers(sockets) == set(), "a closed socket gives its place back"


async def test_a_refused_socket_tells_the_widget_why_and_when_to_try_again(tmp_path: Path, redis: Redis,
                                                                            redis_url: str) -> None:
    async with running_bridge(tmp_path, redis, redis_url, widget={"sockets_per_chat": 1}) as bridge:
        chat = await _start(bridge)
        async with open_socket(bridge, chat):
            async with open_socket(bridge, chat) as ws, asyncio.timeout(5):
                frame = json.loads(await ws.recv())
    assert frame["error"] == "too_many_sockets"
    assert frame["retry_after"] > 0 and "at most 1" in frame["message"]


async def test_a_place_given_back_while_redis_was_away_is_given_back_later(tmp_path: Path) -> None:
    """This process keeps beating, so a place it failed to give back would count for as long as it lives."""
    server = EmbeddedRedis(tmp_path / "redis", appendonly=True)
    server.start()
    redis = connect_redis(server.url)
    slots, keys = SocketSlots(redis, Keys()), Keys()
    try:
        first = await slots.take(Limit("chat", "c1", 2, "in this chat"))
        second = await slots.take(Limit("chat", "c1", 2, "in this chat"))
        server.stop()
        await slots.give_back(first)  # Redis is away: kept to give back later
        server.start()
        await slots.give_back(second)
        third = await slots.take(Limit("chat", "c1", 2, "in this chat"))
        members = await redis.smembers(keys.widget_sockets("chat", "c1"))
        await slots.give_back(third)
    finally:
        await redis.aclose()
        server.stop()
    assert members == {third.member}


async def _slow_body(port: int, drip: float, closed_at: list[float]) -> None:
    """Announces a 4 kB JSON body and sends a byte every `drip` seconds; notes when the server hangs up."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /api/chats HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 4096\r\n\r\n")

    async def drip_body() -> None:
        with contextlib.suppress(ConnectionError):
            for _ in range(4096):
                writer.write(b" ")
                await writer.drain()
                await asyncio.sleep(drip)

    dripping = asyncio.create_task(drip_body())
    try:
        with contextlib.suppress(ConnectionError):
            while await reader.read(4096):
                pass
        closed_at.append(time.monotonic())
    finally:
        dripping.cancel()
        writer.close()


async def test_dripped_and_stalled_request_bodies_are_cut_off(tmp_path: Path, redis_url: str) -> None:
    head, body = 1.0, 3.0
    async with live_serve(tmp_path, redis_url,
                          server={"header_timeout_seconds": head, "body_timeout_seconds": body}) as serve:
        dripped: list[float] = []
        started = time.monotonic()
        drips = [asyncio.create_task(_slow_body(serve.port, 0.2, dripped)) for _ in range(50)]
        stalled: list[float] = []
        stalls = [asyncio.create_task(_slow_body(serve.port, 60, stalled)) for _ in range(50)]
        async with httpx.AsyncClient(base_url=serve.url, timeout=5, trust_env=False) as c:
            served = (await c.post("/api/chats", json={"name": "Ann", "topic": "general"})).status_code
        await asyncio.wait_for(asyncio.gather(*drips, *stalls), body * 3)
    assert served < 500, "a normal request is answered during the attack"
    assert len(dripped) == len(stalled) == 50, "every slow body was cut off"
    assert min(dripped) - started >= body * 0.9, "a body that keeps coming gets the whole body time"
    assert max(stalled) - started < body, "a body that stops is cut off after the pause limit"
