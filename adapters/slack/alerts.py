"""Slack's own way to tell the supervisors that a platform needs a person: their channel, else their DMs.

The core (bridge.supervisor_alerts) falls back to the other platforms when Slack itself refuses.
"""

from collections.abc import Sequence

from adapters.slack.offers import OfferCards
from adapters.slack.webapi import SlackCalls
from bridge.config.agents import AgentConfig
from bridge.config.slack import SlackConfig
from bridge.platform_problems import Problem


class SlackAlerts:
    def __init__(self, config: SlackConfig, calls: SlackCalls, cards: OfferCards) -> None:
        self._config = config
        self._calls = calls
        self._cards = cards

    async def __call__(self, problem: Problem, supervisors: Sequence[AgentConfig]) -> bool:
        channels = [self._config.supervisors_channel] if self._config.supervisors_channel \
            else [await self._cards.dm_channel(a.slack_user_id) for a in supervisors if a.slack_user_id]
        where = f" in <#{problem.place}>" if problem.place else ""
        text = (f":rotating_light: CSR Bridge can't use Slack: `{problem.method}` fails with `{problem.error}`"
                f"{where}. Fix: {problem.fix}. Chats waiting on it are kept and delivered once it is fixed.")
        for channel in channels:
            await self._post(channel, text)
        return bool(channels)

    async def _post(self, channel: str, text: str) -> None:
        """Not recorded as an error itself, so a broken alert channel can't loop."""
        client = self._calls.client
        await self._calls.call("chat.postMessage", lambda: client.chat_postMessage(channel=channel, text=text),
                               channel, paced=True, record=False)
