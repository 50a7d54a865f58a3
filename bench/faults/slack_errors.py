"""(c) The Slack Web API answers 429 and 500 (nothing else) for a minute while chats are busy: posts wait
and are retried, and afterwards every customer message is in its thread once, in order; the CSRs'
replies (which need no Web API call) keep reaching the customers throughout."""

import asyncio
from pathlib import Path

from bench.faults.flaky_slack import FlakySlack
from bench.faults.rig import CHANNEL
from bench.faults.tally import Tally
from bench.faults.traffic import busy_slack_chats

NAME = "c. Slack API 429/500 for a while"


async def run(workdir: Path, chats: int = 20, messages: int = 10, outage: float = 60.0,
              quiet: float = 60.0) -> list[Tally]:
    pause = outage * 1.5 / messages  # the talk outlasts the outage
    async with (FlakySlack(channels=(CHANNEL,), post_rate=10_000, post_burst=10_000) as fake,
                busy_slack_chats(workdir, fake, chats, messages, pause) as talk):

        async def slack_fails() -> None:
            fake.fail_for(outage)
            await asyncio.sleep(outage)

        caught_up = await talk.through_fault(0.1, slack_fails, quiet)
        to_thread, to_customer = await talk.tallies(NAME)
    to_thread.notes.append(f"{chats} chats, {fake.refused} calls refused in {outage:g} s, "
                           + (f"all in {caught_up:.0f} s after" if caught_up is not None else "incomplete"))
    return [to_thread, to_customer]
