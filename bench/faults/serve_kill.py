"""(a) `kill -9` of `serve` in the middle of busy chats, then a restart: every message reaches the thread
and the customer exactly once, in order."""

import asyncio
import time
from pathlib import Path

from bench.faults.rig import CHANNEL, Rig, agents, slack_section, slack_sender
from bench.faults.slack_desk import SlackDesk
from bench.faults.tally import Tally
from bench.faults.traffic import Conversations, during
from tests.slack.fake_slack import FakeSlack

NAME = "a. kill -9 serve, restart"


async def run(workdir: Path, chats: int = 100, messages: int = 10, pause: float = 0.2, downtime: float = 2.0,
              quiet: float = 40.0) -> list[Tally]:
    async with FakeSlack(channels=(CHANNEL,), post_rate=10_000, post_burst=10_000) as fake:
        csrs = max(1, (chats + 9) // 10)
        rig = await Rig(workdir).start({**slack_section(fake), "agents": agents(csrs, 10)})
        try:
            await rig.start_serve()
            desk = SlackDesk(fake, slack_sender(rig, fake), rig.redis, rig.keys, [f"UCSR{i}" for i in range(csrs)])
            await desk.available()
            talk = Conversations(rig, desk, chats, messages, pause)
            await talk.open()
            restarted = 0.0

            async def crash() -> None:
                nonlocal restarted
                await rig.kill_serve()
                await asyncio.sleep(downtime)
                await rig.start_serve()
                restarted = time.monotonic()

            await during(talk, 0.5, crash)
            caught_up = await talk.settle(restarted, quiet, limit=quiet * 4)
            drops = sum(c.drops for c in talk.customers)
            to_thread, to_customer = await talk.tallies(NAME)
            looked = len(fake.calls_to("conversations.replies"))
            await talk.close()
        finally:
            await rig.stop()
    to_thread.notes.append(f"{chats} chats, killed at 50%, down {downtime:g} s, "
                           + (f"all in {caught_up:.0f} s after restart" if caught_up is not None else "incomplete")
                           + f"; {looked} cut-off posts looked up")
    to_customer.notes.append(f"{drops} socket drops, {desk.retried_events} Slack redeliveries")
    return [to_thread, to_customer]
