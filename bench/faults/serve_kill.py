"""(a) `kill -9` of `serve` in the middle of busy chats, then a restart: every message reaches the thread
and the customer exactly once, in order."""

import asyncio
from pathlib import Path

from bench.faults.rig import CHANNEL
from bench.faults.tally import Tally
from bench.faults.traffic import busy_slack_chats
from testkit.fake_slack import FakeSlack

NAME = "a. kill -9 serve, restart"


async def run(workdir: Path, chats: int = 100, messages: int = 10, pause: float = 0.2, downtime: float = 2.0,
              quiet: float = 40.0) -> list[Tally]:
    async with (FakeSlack(channels=(CHANNEL,), post_rate=10_000, post_burst=10_000) as fake,
                busy_slack_chats(workdir, fake, chats, messages, pause) as talk):

        async def crash() -> None:
            await talk.rig.kill_serve()
            await asyncio.sleep(downtime)
            await talk.rig.start_serve()

        caught_up = await talk.through_fault(0.5, crash, quiet)
        drops = sum(c.drops for c in talk.customers)
        to_thread, to_customer = await talk.tallies(NAME)
        looked = len(fake.calls_to("conversations.replies"))
    to_thread.notes.append(f"{chats} chats, killed at 50%, down {downtime:g} s, "
                           + (f"all in {caught_up:.0f} s after restart" if caught_up is not None else "incomplete")
                           + f"; {looked} cut-off posts looked up")
    to_customer.notes.append(f"{drops} socket drops, {talk.desk.retried_events} Slack redeliveries")
    return [to_thread, to_customer]
