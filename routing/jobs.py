"""RQ jobs for routing timers. Each runs in a fresh worker process and event loop, takes ids and the
config path, builds its own app, and changes state only through the idempotent routing scripts: a
timer that fires after the offer was answered or the chat moved on does nothing.

RQ schedules to the whole second, so a job may start just before its due time; it then waits the
remainder (or re-arms itself when that is long, e.g. after a clock step).
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from bridge.app import BridgeApp
from bridge.bootstrap import bootstrap, connect_redis
from bridge.config import load_config
from routing.scripts import ScriptResult

MAX_EARLY_WAIT = 5.0


@asynccontextmanager
async def job_app(config_path: str) -> AsyncIterator[BridgeApp]:
    config = load_config(config_path)
    redis = connect_redis(config.redis_url)
    try:
        yield bootstrap(config, redis, config.redis_url, config_path)
    finally:
        await redis.aclose()


async def _fire(member: str, run: Callable[[], Awaitable[ScriptResult]], app: BridgeApp) -> str:
    result = await run()
    if result.status == "early":
        due = float(result.get("due"))
        wait = due - app.router.clock()
        if wait > MAX_EARLY_WAIT:
            await app.router.timers.schedule([(member, due)])
            return "rescheduled"
        await asyncio.sleep(max(0.0, wait) + 0.01)
        result = await run()
    return result.status


async def expire_offer(offer_id: str, config_path: str) -> str:
    async with job_app(config_path) as app:
        return await _fire(f"offer:{offer_id}", lambda: app.router.expire(offer_id), app)


async def overflow_chat(chat_id: str, seq: str, config_path: str) -> str:
    async with job_app(config_path) as app:
        return await _fire(f"wait:{chat_id}:{seq}", lambda: app.router.overflow(chat_id, seq), app)


async def idle_check(chat_id: str, config_path: str) -> str:
    async with job_app(config_path) as app:
        return await _fire(f"idle:{chat_id}", lambda: app.router.idle_check(chat_id), app)
