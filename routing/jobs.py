"""RQ jobs for routing timers. Each runs in a fresh worker process and event loop (`run_in_app`), takes
ids and the config path, and changes state only through the idempotent routing scripts: a timer that
fires after the offer was answered or the chat moved on does nothing.

RQ schedules to the whole second, so a job may start just before its due time; it then waits the
remainder (or re-arms itself when that is long, e.g. after a clock step).
"""

import asyncio
from collections.abc import Awaitable, Callable

from bridge.job_runner import run_in_app
from routing.router import Router
from routing.scripts import ScriptResult

MAX_EARLY_WAIT = 5.0


async def _fire(member: str, run: Callable[[Router], Awaitable[ScriptResult]], router: Router) -> str:
    result = await run(router)
    if result.status == "early":
        due = float(result.get("due"))
        wait = due - router.clock()
        if wait > MAX_EARLY_WAIT:
            await router.timers.schedule([(member, due)])
            return "rescheduled"
        await asyncio.sleep(max(0.0, wait) + 0.01)
        result = await run(router)
    return result.status


def expire_offer(offer_id: str, config_path: str) -> str:
    return run_in_app(config_path, lambda app: _fire(f"offer:{offer_id}", lambda r: r.expire(offer_id), app.router))


def overflow_chat(chat_id: str, seq: str, config_path: str) -> str:
    return run_in_app(config_path, lambda app: _fire(f"wait:{chat_id}:{seq}", lambda r: r.overflow(chat_id, seq),
                                                     app.router))


def idle_check(chat_id: str, config_path: str) -> str:
    return run_in_app(config_path, lambda app: _fire(f"idle:{chat_id}", lambda r: r.idle_check(chat_id), app.router))


def unclaimed_alert(chat_id: str, config_path: str) -> str:
    return run_in_app(config_path, lambda app: _fire(f"unclaimed:{chat_id}", lambda r: r.unclaimed_alert(chat_id),
                                                     app.router))
