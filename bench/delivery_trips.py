"""Delivery's Redis work and CPU per message, in one process, without platforms: `python -m bench.delivery_trips`.

The flood's shape (each chat has one customer message in flight; the next is written once the last reached its
thread) against a private redis-server, with a surface that posts nothing. It counts, per message, the Redis
commands the server ran (INFO commandstats), the pipelines callers handed to the group commit and the batches it
sent, and the process' CPU. The appends are part of every figure (one EVALSHA, one pipeline each); the rest is
delivery's. Deterministic apart from the CPU, which moves with the machine's load.
"""

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bridge.bootstrap import bootstrap
from bridge.config.agents import AgentConfig
from bridge.domain.chat import Chat, ChatState, Customer
from bridge.domain.events import ChatEvent
from bridge.embedded_redis import EmbeddedRedis
from bridge.ports import ThreadRef
from bridge.redis_batch import RedisBatch
from bridge.redis_connect import connect_redis
from testkit.configs import make_config


class QuietSurface:
    """Posts nothing; tells the customer loop its message arrived."""

    platform = "test"

    def __init__(self) -> None:
        self.arrived: dict[str, asyncio.Event] = {}

    async def open_thread(self, chat: Chat, agent: AgentConfig | None) -> ThreadRef:
        return ThreadRef(self.platform, f"room-{chat.queue}", f"root-{chat.id}")

    async def deliver(self, thread: ThreadRef, chat: Chat, event: ChatEvent, following: Sequence[ChatEvent] = (),
                      retry: bool = False) -> str | None:
        self.arrived[chat.id].set()
        return event.id


class Counted:
    """What callers handed to the group commit, and how many batches it sent."""

    def __init__(self) -> None:
        self.pipelines = 0
        self.commands = 0
        self.batches = 0
        self.direct = 0

    def install(self) -> None:
        execute, send, direct = RedisBatch.execute, RedisBatch._send, Redis.execute_command

        async def counted_execute(batch: RedisBatch, pipe: Pipeline, raise_on_error: bool = True) -> list[Any]:
            self.pipelines += 1
            self.commands += len(pipe)
            return await execute(batch, pipe, raise_on_error)

        async def counted_direct(redis: Redis, *args: Any, **options: Any) -> Any:
            self.direct += 1
            return await direct(redis, *args, **options)

        async def counted_send(batch: RedisBatch, taken: Any) -> None:
            self.batches += 1
            await send(batch, taken)

        RedisBatch.execute = counted_execute  # type: ignore[method-assign]
        RedisBatch._send = counted_send  # type: ignore[method-assign]
        Redis.execute_command = counted_direct  # type: ignore[method-assign]


async def command_counts(redis: Redis) -> Counter[str]:
    stats = await redis.info("commandstats")
    return Counter({name.removeprefix("cmdstat_"): int(v["calls"]) for name, v in stats.items()})


async def run(chats: int, rounds: int, data_dir: Path) -> None:
    server = EmbeddedRedis(data_dir, appendonly=False)
    server.start()
    redis = connect_redis(server.url)
    try:
        app = bootstrap(make_config(data_dir, server.url), redis, server.url)
        surface = QuietSurface()
        app.surfaces[surface.platform] = surface
        opened = []
        for n in range(chats):
            chat = await app.service.start_chat(Customer(name=f"c{n}"), "question", "general", 0, "first")
            await redis.hset(app.keys.chat(chat.id),
                             mapping={"state": ChatState.ACTIVE, "agent_id": "alice", "platform": surface.platform})
            surface.arrived[chat.id] = asyncio.Event()
            opened.append(await app.chats.get(chat.id))
        for chat in opened:
            app.delivery.wake(chat.id)
        await app.delivery.idle()

        async def customer(chat: Chat) -> None:
            arrived = surface.arrived[chat.id]
            for n in range(rounds):
                arrived.clear()
                await app.service.customer_message(chat.id, f"message {n}", current=chat)
                app.delivery.wake(chat.id)
                await arrived.wait()

        counted = Counted()
        counted.install()
        await redis.config_resetstat()
        cpu = time.process_time()
        await asyncio.gather(*(customer(chat) for chat in opened if chat is not None))
        cpu = time.process_time() - cpu
        commands = await command_counts(redis)
        commands -= Counter({"info": commands["info"], "config|resetstat": commands["config|resetstat"]})
        await app.delivery.close()
    finally:
        await redis.aclose()
        server.stop()
    messages = chats * rounds
    print(f"{messages} messages ({chats} chats x {rounds}), appends included:")
    print(f"  commands sent per message: {(counted.commands + counted.direct) / messages:.2f} "
          f"({counted.commands / messages:.2f} in {counted.pipelines / messages:.2f} pipelines handed to the group "
          f"commit, {counted.direct / messages:.2f} alone); batches sent per message: {counted.batches / messages:.2f}")
    print("  commands Redis ran per message, scripts' own included: "
          + ", ".join(f"{name} {n / messages:.2f}" for name, n in commands.most_common()))
    print(f"  CPU per message: {cpu / messages * 1000:.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.delivery_trips", description=__doc__)
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run(args.chats, args.rounds, Path(tmp)))


if __name__ == "__main__":
    main()
