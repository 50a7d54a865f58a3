"""(b) Redis killed (SIGKILL) in the middle of busy chats and started again on the same port and directory,
from its append-only file: no chat and no message is lost, none is doubled, each chat keeps its order."""

import asyncio
import time
from pathlib import Path

from bench.faults.rig import CHANNEL, Rig, agents, slack_section, slack_sender
from bench.faults.slack_desk import SlackDesk
from bench.faults.tally import Tally
from bench.faults.traffic import Conversations, during
from tests.slack.fake_slack import FakeSlack

NAME = "b. Redis kill -9, restart from AOF"


async def run(workdir: Path, chats: int = 100, messages: int = 10, pause: float = 0.2, downtime: float = 2.0,
              quiet: float = 40.0) -> list[Tally]:
    async with FakeSlack(channels=(CHANNEL,), post_rate=10_000, post_burst=10_000) as fake:
        csrs = max(1, (chats + 9) // 10)
        rig = await Rig(workdir, appendonly=True).start({**slack_section(fake), "agents": agents(csrs, 10)})
        try:
            await rig.start_serve()
            desk = SlackDesk(fake, slack_sender(rig, fake), rig.redis, rig.keys, [f"UCSR{i}" for i in range(csrs)])
            await desk.available()
            talk = Conversations(rig, desk, chats, messages, pause)
            await talk.open()
            restarted = 0.0

            async def outage() -> None:
                nonlocal restarted
                await rig.kill_redis()
                await asyncio.sleep(downtime)
                await rig.restart_redis()
                restarted = time.monotonic()

            await during(talk, 0.5, outage)
            caught_up = await talk.settle(restarted, quiet, limit=quiet * 4)
            to_thread, to_customer = await talk.tallies(NAME)
            chats_kept = sum([await rig.redis.exists(rig.keys.chat(c.chat_id)) for c in talk.customers])
            await talk.close()
        finally:
            await rig.stop()
    to_thread.notes.append(f"{chats_kept}/{chats} chats kept, Redis down {downtime:g} s, "
                           + (f"all in {caught_up:.0f} s after restart" if caught_up is not None else "incomplete"))
    to_customer.notes.append(f"{sum(c.drops for c in talk.customers)} socket drops, "
                             f"{desk.retried_events} Slack redeliveries")
    return [to_thread, to_customer]
