"""One benchmark round at a given number of CSRs: the phases and what each one measures."""

import time
from dataclasses import dataclass, field
from pathlib import Path

from redis.asyncio import Redis

from bench.routing.setup import COLD, HOT, bench_app, create_chats
from bridge.domain.agent import Presence

BACKLOG = 10_000
COLD_SAMPLES = 2_000
CYCLES = 3_000


@dataclass
class Round:
    csrs: int
    escalate_ms: list[float] = field(default_factory=list)
    """Escalation to offer, cold queues (a CSR has room), with the backlog waiting in the hot ones."""
    accept_ms: list[float] = field(default_factory=list)
    close_ms: list[float] = field(default_factory=list)
    """Close of a chat in a hot queue, which offers the freed CSR the next of the backlog."""
    available_ms: list[float] = field(default_factory=list)
    """A CSR going available with the backlog waiting: gets the oldest highest-priority chats."""
    offers_per_second: float = 0.0
    lua_us: dict[str, float] = field(default_factory=dict)
    waiting: int = 0


async def lua_us_per_call(redis: Redis) -> float:
    stats = await redis.info("commandstats")
    calls = sum(v["calls"] for k, v in stats.items() if k in ("cmdstat_evalsha", "cmdstat_eval"))
    usec = sum(v["usec"] for k, v in stats.items() if k in ("cmdstat_evalsha", "cmdstat_eval"))
    return usec / calls if calls else 0.0


async def timed(samples: list[float], coro):  # noqa: ANN001, ANN201
    start = time.perf_counter()
    result = await coro
    samples.append((time.perf_counter() - start) * 1000)
    return result


async def run_round(csrs: int, data_dir: Path, redis: Redis, redis_url: str) -> Round:
    await redis.flushdb()
    app = bench_app(csrs, data_dir, redis, redis_url)
    router, out = app.router, Round(csrs)
    for agent in app.config.agents:
        await router.set_presence(agent, Presence.AVAILABLE)
    hot_slots = sum(2 for i in range(csrs) if i % 2 == 0)
    hot_ids = await create_chats(app, [HOT[i % len(HOT)] for i in range(hot_slots + BACKLOG)], 0)
    for chat_id in hot_ids:
        await router.route(chat_id)
    out.waiting = sum([await redis.zcard(app.keys.queue_waiting(q)) for q in HOT])

    await redis.config_resetstat()
    cold_ids = await create_chats(app, [COLD[i % len(COLD)] for i in range(COLD_SAMPLES)], len(hot_ids))
    for chat_id in cold_ids:
        result = await timed(out.escalate_ms, router.route(chat_id))
        offer = result.offers[0]
        await router.accept(offer["id"], app.agent(offer["agent"]), "bench")
        await router.close_chat(chat_id, "bench", "bench")
    out.lua_us["escalate+accept+close"] = await lua_us_per_call(redis)

    await redis.config_resetstat()
    hot_agents = [a for a in app.config.agents if int(a.id[3:]) % 2 == 0]
    start = time.perf_counter()
    for i in range(CYCLES):
        agent = hot_agents[i % len(hot_agents)]
        offer_id = (await router.state.agent_offer_ids(agent.id))[0]
        result = await timed(out.accept_ms, router.accept(offer_id, agent, "bench"))
        await timed(out.close_ms, router.close_chat(result.get("chat"), "bench", "bench"))
    out.offers_per_second = CYCLES / (time.perf_counter() - start)
    out.lua_us["accept+close (next offer)"] = await lua_us_per_call(redis)

    for agent in hot_agents[:500]:
        await router.set_presence(agent, Presence.AWAY)
        await timed(out.available_ms, router.set_presence(agent, Presence.AVAILABLE))
    return out
