"""Every chat has a way to end: one started and never escalated, and one left as a message after nobody came,
each close after the customer-idle timeout (real RQ workers fire the timers and write the archive), leave
only keys that expire, and /metrics counts them open by state until then."""

import asyncio
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis

from adapters.http.server import build_asgi
from bridge.app import BridgeApp
from bridge.bootstrap import bootstrap
from bridge.config import load_config
from bridge.domain.chat import ChatState, Customer
from bridge.domain.events import AuthorKind
from bridge.runtime import http_parts
from testkit.configs import base_raw, merged, write_toml
from tests.routing.helpers import SLACK_ON, chat, escalated
from tests.routing.test_rq_timers import eventually

IDLE = 2.0
QUICK = {
    "queues": [{"name": "general", "display_name": "General", "max_wait": 1, "unclaimed_alert_minutes": IDLE / 60}],
    "agents": [{"id": "sam", "display_name": "Sam", "role": "supervisor", "queues": ["general"]}],
    "widget": {"topics": []},
    "knowledge": {"phrases": []},
    "routing": {"customer_idle_timeout": IDLE, "left_message_keep_days": IDLE / 86400},
    "slack": {**SLACK_ON, "channels": {"general": "CGENERAL"}},
}


@pytest.fixture
async def live_app(tmp_path: Path, redis: Redis, redis_url: str) -> AsyncIterator[BridgeApp]:
    """As `serve` runs it: the change feed schedules archives; two real RQ workers run timers and archives."""
    path = write_toml(tmp_path / "quick.toml", merged(merged(base_raw(), QUICK), {"redis": {"url": redis_url}}))
    workers = [subprocess.Popen([sys.executable, "-m", "bridge.cli", "worker", "--config", str(path)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
               for _ in range(2)]
    app = bootstrap(load_config(path), redis, redis_url, str(path))
    stop = asyncio.Event()
    feed = asyncio.create_task(app.feed.run(stop))
    try:
        yield app
    finally:
        stop.set()
        await app.feed.publish("probe", "stop")
        await feed
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


async def open_by_state(app: BridgeApp) -> dict[str, float]:
    transport = httpx.ASGITransport(app=build_asgi(http_parts(app)))
    async with httpx.AsyncClient(transport=transport, base_url="http://bridge") as client:
        text = (await client.get("/metrics")).text
    [family] = [f for f in text_string_to_metric_families(text) if f.name == "csr_open_chats"]
    return {s.labels["state"]: s.value for s in family.samples}


async def leftovers(app: BridgeApp, chat_id: str) -> list[str]:
    """Keys of the chat that never expire, and shared structures that still name it."""
    redis, k = app.redis, app.keys
    found = [key async for key in redis.scan_iter(match=f"*{chat_id}*") if await redis.ttl(key) == -1]
    timers = [m for m in await redis.zrange(k.routing_timers, 0, -1) if chat_id in m]
    named = {
        "open chats": await redis.sismember(k.open_chats, chat_id),
        "timers": bool(timers),
        "waiting": await redis.zscore(k.queue_waiting("general"), chat_id) is not None,
        "messages": await redis.zscore(k.queue_messages("general"), chat_id) is not None,
        "positions": await redis.hexists(k.queue_positions("general"), chat_id),
        "archive pending": await redis.zscore(k.archive_pending, chat_id) is not None,
        "archive parked": await redis.hexists(k.archive_parked, chat_id),
    }
    return found + [name for name, present in named.items() if present]


async def test_chats_nobody_answers_close_after_the_idle_timeout_and_leave_only_expiring_keys(
        live_app: BridgeApp) -> None:
    app = live_app
    browsing = await app.service.start_chat(Customer(name="Bo"), "question", "general", 0, "just looking")
    left = await escalated(app, name="Lea", first="is anyone there?")  # no CSR is on: a message at once
    assert left.state == ChatState.MESSAGE
    await app.service.customer_message(left.id, "please call me back on 555-0100")
    assert await open_by_state(app) == {"bot": 1, "waiting": 0, "offered": 0, "active": 0, "message": 1}

    async def both_archived() -> bool:
        return all([await app.redis.exists(app.keys.chat_archived(c.id)) for c in (browsing, left)])

    async def only_expiring_keys() -> bool:
        """The worker gives a finished job's key its expiry a moment after the job's own work is done."""
        return all([await leftovers(app, c.id) == [] for c in (browsing, left)])

    await eventually(both_archived, "idle close and archive of both chats", timeout=30)
    await eventually(only_expiring_keys, "the workers to finish with both chats", timeout=10)
    for c in (browsing, left):
        closed = await chat(app, c.id)
        assert closed.state == ChatState.CLOSED and closed.close_reason == "idle", c.id
        assert await leftovers(app, c.id) == [], c.id
    said = [e.ts for e in await app.stream.read_all(left.id) if e.author.kind == AuthorKind.CUSTOMER]
    assert (await chat(app, left.id)).closed_at - said[-1] >= IDLE, "the left message had the whole idle timeout"
    assert await open_by_state(app) == {"bot": 0, "waiting": 0, "offered": 0, "active": 0, "message": 0}
    archived = await app.transcripts.store.load(left.id)
    await app.transcripts.store.close()
    assert archived is not None and "please call me back on 555-0100" in [e.text for e in archived.events]


async def test_open_chats_from_before_get_an_idle_timer(live_app: BridgeApp) -> None:
    """Chats stored before every chat had its timer (or whose start crashed before arming it) get one."""
    app = live_app
    old = await app.service.start_chat(Customer(name="Old"), "question", "general", 0, "hello")
    await app.redis.zrem(app.keys.routing_timers, f"idle:{old.id}")
    assert await app.router.arm_idle_timers() == 1
    assert await app.router.arm_idle_timers() == 0

    async def closed() -> bool:
        return (await chat(app, old.id)).state == ChatState.CLOSED

    await eventually(closed, "the idle job")
