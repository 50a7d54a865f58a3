"""The core's AgentSurface port on Slack: offer cards, chat threads, private notices, supervisors reading
along (a live copy in their DM) and replies that come after their command (reports).

When a chat changes hands (accepted, transferred, closed) the App Home of the CSRs involved is
published again, so its list of open chats stays true without a refresh on every message.
"""

import logging
from collections.abc import Sequence

from adapters.slack.home import HomeTab
from adapters.slack.monitor import Monitors
from adapters.slack.mrkdwn import escape
from adapters.slack.offers import OfferCards
from adapters.slack.responder import ReplyTo, Responder
from adapters.slack.thread import ThreadWriter
from adapters.slack.webapi import SlackCalls
from bridge.commands.replies import Reply
from bridge.config.agents import AgentConfig
from bridge.domain.chat import Chat
from bridge.domain.events import ChatEvent, EventKind
from bridge.ports import OfferView, ReadAlong, ThreadRef

log = logging.getLogger(__name__)
OWNERSHIP = {EventKind.ACCEPTED, EventKind.TRANSFERRED, EventKind.CLOSED}


class SlackSurface:
    platform = "slack"

    def __init__(self, cards: OfferCards, writer: ThreadWriter, calls: SlackCalls, home: HomeTab,
                 monitors: Monitors, responder: Responder) -> None:
        self._cards = cards
        self._writer = writer
        self._calls = calls
        self._home = home
        self._monitors = monitors
        self._responder = responder

    def reaches(self, agent: AgentConfig) -> bool:
        return bool(agent.slack_user_id)

    async def show_offer(self, agent: AgentConfig, view: OfferView) -> str:
        return await self._cards.show(agent, view)

    async def update_offer(self, agent: AgentConfig, view: OfferView, ref: str) -> None:
        await self._cards.update(view, ref)

    async def open_thread(self, chat: Chat, agent: AgentConfig | None) -> ThreadRef:
        return await self._writer.open(chat, agent)

    async def deliver(self, thread: ThreadRef, chat: Chat, event: ChatEvent, following: Sequence[ChatEvent],
                      retry: bool) -> str | None:
        copies = self._monitors.copies(chat.id)
        carried = await self._writer.deliver(thread, chat, event, following, retry, after=copies)
        if event.kind in OWNERSHIP:
            for agent_id in {chat.agent_id, str(event.data.get("from", "")), str(event.data.get("to", ""))} - {""}:
                try:
                    await self._home.on_agent_change(agent_id)
                except Exception:  # the tab is a convenience; the event itself was delivered
                    log.warning("App Home of %s not refreshed", agent_id, exc_info=True)
        await self._monitors.copy(chat, carried, copies)
        return carried[-1].id

    async def notify_agent(self, agent: AgentConfig, text: str) -> None:
        channel = await self._cards.dm_channel(agent.slack_user_id)
        await self._calls.post(channel=channel, text=escape(text))

    async def invite_supervisor(self, thread: ThreadRef, chat: Chat, agent: AgentConfig) -> ReadAlong:
        return await self._monitors.invite(thread, chat, agent)

    async def send_reply(self, agent: AgentConfig, reply: Reply, key: str, conversation: str = "",
                         thread: str = "") -> None:
        await self._responder.send(reply, ReplyTo(user=agent.slack_user_id, channel=conversation, thread=thread))
