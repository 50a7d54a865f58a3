"""(b) Redis killed (SIGKILL) in the middle of busy chats and started again on the same port and directory,
from its append-only file: no chat and no message is lost, none is doubled, each chat keeps its order."""

import asyncio
from pathlib import Path

from bench.faults.rig import CHANNEL
from bench.faults.tally import Tally
from bench.faults.traffic import busy_slack_chats
from testkit.fake_slack import FakeSlack

NAME = "b. Redis kill -9, restart from AOF"


async def run(workdir: Path, chats: int = 100, messages: int = 10, pause: float = 0.2, downtime: float = 2.0,
              quiet: float = 40.0) -> list[Tally]:
    async with (FakeSlack(channels=(CHANNEL,), post_rate=10_000, post_burst=10_000) as fake,
                busy_slack_chats(workdir, fake, chats, messages, pause, appendonly=True) as talk):
        rig = talk.rig

        async def outage() -> None:
            await rig.kill_redis()
            await asyncio.sleep(downtime)
            await rig.restart_redis()

        caught_up = await talk.through_fault(0.5, outage, quiet)
        to_thread, to_customer = await talk.tallies(NAME)
        chats_kept = sum([await rig.redis.exists(rig.keys.chat(c.chat_id)) for c in talk.customers])
    to_thread.notes.append(f"{chats_kept}/{chats} chats kept, Redis down {downtime:g} s, "
                           + (f"all in {caught_up:.0f} s after restart" if caught_up is not None else "incomplete"))
    to_customer.notes.append(f"{sum(c.drops for c in talk.customers)} socket drops, "
                             f"{talk.desk.retried_events} Slack redeliveries")
    return [to_thread, to_customer]
