"""Builds the benchmark's world: 20 queues (half with required skills), N CSRs, chats in Redis.

Half the queues are "hot" and carry the 10,000-chat backlog; the other half are "cold" with CSRs
that have room, so an escalation there is offered at once while the backlog sits in Redis too.
"""

import random
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from bridge.app import BridgeApp
from bridge.bootstrap import bootstrap
from bridge.chats import to_hash
from bridge.config import parse_config
from bridge.domain.chat import Chat, Customer

QUEUES = 20
HOT = [f"q{i:02d}" for i in range(QUEUES // 2)]
COLD = [f"q{i:02d}" for i in range(QUEUES // 2, QUEUES)]
QUEUES_PER_CSR = 3


def skill_of(queue: str) -> str:
    return f"s{int(queue[1:]) % 5}"


def needs_skill(queue: str) -> bool:
    return int(queue[1:]) % 2 == 1


def bench_config(csrs: int, data_dir: Path, redis_url: str) -> Any:
    rng = random.Random(csrs)
    queues = [{"name": q, "display_name": q.upper(), "skills": [skill_of(q)] if needs_skill(q) else [],
               "offer_timeout": 30, "max_wait": 3600} for q in HOT + COLD]
    agents = []
    for i in range(csrs):
        joined = rng.sample(HOT if i % 2 == 0 else COLD, QUEUES_PER_CSR)
        skills = sorted({skill_of(q) for q in joined if needs_skill(q)})
        agents.append({"id": f"csr{i:05d}", "display_name": f"CSR {i}", "queues": joined, "skills": skills,
                       "capacity": 2})
    raw = {"data_dir": str(data_dir), "redis": {"url": redis_url}, "queues": queues, "agents": agents,
           "widget": {"signing_key": "bench-signing-key-0123456789"}}
    return parse_config(raw, base_dir=str(data_dir), environ={})


def bench_app(csrs: int, data_dir: Path, redis: Redis, redis_url: str) -> BridgeApp:
    """No config path: the engine alone, without enqueuing RQ jobs (measured on their own)."""
    return bootstrap(bench_config(csrs, data_dir, redis_url), redis, redis_url)


async def create_chats(app: BridgeApp, queue_of: list[str], start: int) -> list[str]:
    ids = [f"b{start + i:07d}" for i in range(len(queue_of))]
    for first in range(0, len(ids), 1000):
        async with app.redis.pipeline(transaction=False) as pipe:
            for chat_id, queue in zip(ids[first:first + 1000], queue_of[first:first + 1000], strict=True):
                chat = Chat(id=chat_id, customer=Customer(name="Bench"), topic="t", queue=queue, created_at=0)
                pipe.hset(app.keys.chat(chat_id), mapping=to_hash(chat))
                pipe.sadd(app.keys.open_chats, chat_id)
            await pipe.execute()
    return ids
