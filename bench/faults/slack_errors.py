"""(c) The Slack Web API answers 429 and 500 (nothing else) for a minute while chats are busy: posts wait
and are retried, and afterwards every customer message is in its thread once, in order; the CSRs'
replies (which need no Web API call) keep reaching the customers throughout."""

import asyncio
import time
from pathlib import Path

from bench.faults.flaky_slack import FlakySlack
from bench.faults.rig import CHANNEL, Rig, agents, slack_section, slack_sender
from bench.faults.slack_desk import SlackDesk
from bench.faults.tally import Tally
from bench.faults.traffic import Conversations, during

NAME = "c. Slack API 429/500 for a while"


async def run(workdir: Path, chats: int = 20, messages: int = 10, outage: float = 60.0,
              quiet: float = 60.0) -> list[Tally]:
    async with FlakySlack(channels=(CHANNEL,), post_rate=10_000, post_burst=10_000) as fake:
        csrs = max(1, (chats + 9) // 10)
        rig = await Rig(workdir).start({**slack_section(fake), "agents": agents(csrs, 10)})
        try:
            await rig.start_serve()
            desk = SlackDesk(fake, slack_sender(rig, fake), rig.redis, rig.keys, [f"UCSR{i}" for i in range(csrs)])
            await desk.available()
            pause = outage * 1.5 / messages  # the talk outlasts the outage
            talk = Conversations(rig, desk, chats, messages, pause)
            await talk.open()
            ended = 0.0

            async def slack_fails() -> None:
                nonlocal ended
                fake.fail_for(outage)
                await asyncio.sleep(outage)
                ended = time.monotonic()

            await during(talk, 0.1, slack_fails)
            caught_up = await talk.settle(ended, quiet, limit=quiet * 4)
            to_thread, to_customer = await talk.tallies(NAME)
            await talk.close()
        finally:
            await rig.stop()
    to_thread.notes.append(f"{chats} chats, {fake.refused} calls refused in {outage:g} s, "
                           + (f"all in {caught_up:.0f} s after" if caught_up is not None else "incomplete"))
    return [to_thread, to_customer]
