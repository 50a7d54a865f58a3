"""Tells the supervisors when Slack needs a person: in their channel, else by DM, else on another platform.

When Slack itself refuses (a revoked token), the other surfaces (Matrix) that reach a supervisor
carry the alert instead; the error is on /readyz and in the log either way.
"""

import logging
from collections.abc import Mapping

from adapters.slack.offers import OfferCards
from adapters.slack.webapi import SlackCalls
from bridge.config.root import BridgeConfig
from bridge.domain.agent import Role
from bridge.ports import AgentSurface

log = logging.getLogger(__name__)


class SupervisorAlerts:
    def __init__(self, config: BridgeConfig, surfaces: Mapping[str, AgentSurface], calls: SlackCalls,
                 cards: OfferCards) -> None:
        """`surfaces`: every platform's, filled in as the adapters are built."""
        self._config = config
        self._surfaces = surfaces
        self._calls = calls
        self._cards = cards

    async def __call__(self, text: str) -> None:
        supervisors = [a for a in self._config.agents if Role(a.role).at_least(Role.SUPERVISOR)]
        try:
            channels = [self._config.slack.supervisors_channel] if self._config.slack.supervisors_channel \
                else [await self._cards.dm_channel(a.slack_user_id) for a in supervisors if a.slack_user_id]
            for channel in channels:
                await self._post(channel, text)
            if channels:
                return
        except Exception:  # Slack itself may be what is broken; fall through to the other platforms
            log.warning("could not alert the supervisors on Slack", exc_info=True)
        plain = text.replace("`", "").replace(":rotating_light: ", "")
        for agent in supervisors:
            for surface in self._surfaces.values():
                if surface.platform != "slack" and surface.reaches(agent):
                    await surface.notify_agent(agent, plain)

    async def _post(self, channel: str, text: str) -> None:
        """Not recorded as an error itself, so a broken alert channel can't loop."""
        client = self._calls.client
        await self._calls.call("chat.postMessage", lambda: client.chat_postMessage(channel=channel, text=text),
                               channel, paced=True, record=False)
