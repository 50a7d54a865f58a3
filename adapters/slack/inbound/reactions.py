"""A CSR's reaction in a chat's thread reaches the customer: Slack's `reaction_added` and `reaction_removed`.

Slack names the message by channel and ts; the post index says which chat event it shows (a customer's
message the bridge posted, or the CSR's own reply). The bot's own reactions (the customer's) and people
who are not on the roster change nothing; a reaction on a chat that isn't the CSR's, or has ended, neither.
"""

import logging
from typing import Any

from adapters.slack.parts import SlackParts
from adapters.slack.shortcodes import reaction_key
from bridge.domain.events import Origin
from bridge.service import BadReaction, ChatClosed, NotYours, UnknownChat

log = logging.getLogger(__name__)


class ReactionInbound:
    def __init__(self, parts: SlackParts) -> None:
        self._parts = parts

    async def on_added(self, event: dict[str, Any]) -> None:
        await self._react(event, removed=False)

    async def on_removed(self, event: dict[str, Any]) -> None:
        await self._react(event, removed=True)

    async def _react(self, event: dict[str, Any], removed: bool) -> None:
        item = event.get("item") or {}
        channel, ts, name = str(item.get("channel", "")), str(item.get("ts", "")), str(event.get("reaction", ""))
        core = self._parts.core
        agent = core.agents.by_platform_id("slack", str(event.get("user", "")))
        if item.get("type") != "message" or agent is None or not name:
            return
        shown, key = await self._parts.posts.event_of(channel, ts), reaction_key(name)
        if shown is None or key is None:
            return
        change = "removed" if removed else "added"
        origin = Origin(platform="slack", conversation=channel,
                        event_id=f"{ts}:reaction:{change}:{agent.id}:{name}:{event.get('event_ts', '')}")
        try:
            await core.service.agent_reaction(shown.chat_id, agent, origin, shown.event_id, key, removed)
        except (NotYours, ChatClosed, UnknownChat, BadReaction) as exc:
            log.info("Slack reaction by %s in chat %s not passed on: %s", agent.id, shown.chat_id,
                     exc.__class__.__name__)
