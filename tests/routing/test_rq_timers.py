"""Real RQ workers (subprocesses, as `csr-bridge worker` runs) fire offer deadlines, max-wait overflow
and idle timeouts; a timer whose offer was answered meanwhile does nothing. Short timeouts (1 s)."""

import asyncio
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from redis import Redis as SyncRedis
from redis.asyncio import Redis
from rq import Queue
from rq.job import Job, JobStatus

from bridge.app import BridgeApp
from bridge.bootstrap import bootstrap
from bridge.config import load_config
from bridge.domain.agent import Presence
from bridge.domain.chat import ChatState
from bridge.domain.offer import OfferState
from bridge.worker import queue_name
from testkit.configs import base_raw, merged, write_toml
from tests.routing.helpers import available, chat, escalated, only_offer, signed_in

FAST = {
    "queues": [
        {"name": "general", "display_name": "General", "offer_timeout": 1},
        {"name": "billing", "display_name": "Billing", "skills": ["billing"], "overflow": "general", "max_wait": 1},
        {"name": "tech", "display_name": "Tech support", "skills": ["tech"]},
    ],
    "routing": {"customer_idle_timeout": 1, "missed_offers_before_away": 5},
}


@pytest.fixture
async def fast_app(tmp_path: Path, redis: Redis, redis_url: str) -> AsyncIterator[BridgeApp]:
    """An app whose timers are RQ jobs, with two real workers running them."""
    path = write_toml(tmp_path / "fast.toml", merged(merged(base_raw(), FAST), {"redis": {"url": redis_url}}))
    workers = [subprocess.Popen([sys.executable, "-m", "bridge.cli", "worker", "--config", str(path)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
               for _ in range(2)]
    try:
        yield bootstrap(load_config(path), redis, redis_url, str(path))
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


async def eventually(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 30) -> None:
    """Waits for a worker to do its part; the timeout only bounds a broken run."""
    for _ in range(int(timeout / 0.1)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def job_result(app: BridgeApp, member: str) -> str:
    """Waits for the RQ job of one routing timer to finish and returns what it reported."""
    queue = Queue(queue_name(app.config, "timers"), connection=SyncRedis.from_url(app.redis_url))
    prefix = f"{app.config.redis.key_prefix}-{member.replace(':', '-')}-"
    [job_id] = [j for j in await asyncio.to_thread(queue.scheduled_job_registry.get_job_ids) if j.startswith(prefix)]
    result: list[object] = []

    async def finished() -> bool:
        job = await asyncio.to_thread(Job.fetch, job_id, connection=queue.connection)
        if job.get_status() == JobStatus.FINISHED:
            result.append(job.return_value())
        return bool(result)

    await eventually(finished, f"job {job_id}")
    return str(result[0])


async def test_a_worker_expires_an_unanswered_offer_and_the_chat_moves_on(fast_app: BridgeApp) -> None:
    app = fast_app
    await available(app, "alice")
    c = await escalated(app)
    offer = await only_offer(app, "alice")
    await available(app, "bob")  # bob has room now but the chat is alice's offer until it times out

    async def expired() -> bool:
        return (await app.router.state.offer(offer.id)).state == OfferState.EXPIRED

    await eventually(expired, "the offer deadline job")
    assert (await app.router.state.agent("alice")).missed >= 1
    feed = [f for _id, f in await app.redis.xrange(app.keys.routing_events) if f["chat"] == c.id]
    kinds = [(f["kind"], f["agent"]) for f in feed]
    missed_at = kinds.index(("missed", "alice"))
    assert ("offered", "bob") in kinds[missed_at:], "the worker passed the chat on to the next CSR"


async def test_a_deadline_after_accept_does_nothing(fast_app: BridgeApp) -> None:
    app = fast_app
    await available(app, "alice")
    c = await escalated(app)
    offer = await only_offer(app, "alice")
    await app.router.accept(offer.id, app.agent("alice"), "test")
    assert await job_result(app, f"offer:{offer.id}") == "stale"
    assert (await app.router.state.offer(offer.id)).state == OfferState.ACCEPTED
    assert (await chat(app, c.id)).agent_id == "alice"
    assert (await app.router.state.agent("alice")).missed == 0


async def test_a_worker_overflows_a_chat_after_max_wait(fast_app: BridgeApp) -> None:
    app = fast_app
    await signed_in(app, "alice")
    c = await escalated(app, queue="billing")

    async def moved() -> bool:
        return (await chat(app, c.id)).queue == "general"

    await eventually(moved, "the max-wait job")
    assert (await chat(app, c.id)).state == ChatState.WAITING


async def test_a_worker_closes_a_chat_whose_customer_went_quiet(fast_app: BridgeApp) -> None:
    app = fast_app
    await available(app, "alice")
    c = await escalated(app)
    await app.router.accept((await only_offer(app, "alice")).id, app.agent("alice"), "test")

    async def closed() -> bool:
        return (await chat(app, c.id)).state == ChatState.CLOSED

    await eventually(closed, "the idle job")
    assert (await chat(app, c.id)).close_reason == "idle"
    assert (await app.router.state.agent("alice")).load == 0


async def test_a_max_wait_job_with_nobody_signed_in_along_the_chain_tells_the_customer(fast_app: BridgeApp) -> None:
    """Billing overflows to general after 1 s; by then nobody is signed in for either, so the job does not park
    the chat in general's line for another ten minutes (no platform here, so the chat ends with the reason)."""
    app = fast_app
    await signed_in(app, "alice")
    c = await escalated(app, queue="billing")
    assert (await chat(app, c.id)).state == ChatState.WAITING
    await app.router.set_presence(app.agent("alice"), Presence.OFFLINE)  # no announcer runs here

    async def told() -> bool:
        return (await chat(app, c.id)).state == ChatState.CLOSED

    await eventually(told, "the max-wait job")
    assert (await chat(app, c.id)).close_reason == "unavailable"
