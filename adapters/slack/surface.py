"""The core's AgentSurface port on Slack: offer cards, chat threads, private notices."""

from adapters.slack.mrkdwn import escape
from adapters.slack.offers import OfferCards
from adapters.slack.thread import ThreadWriter
from adapters.slack.webapi import SlackCalls
from bridge.config.agents import AgentConfig
from bridge.domain.chat import Chat
from bridge.domain.events import ChatEvent
from bridge.ports import OfferView, ThreadRef


class SlackSurface:
    platform = "slack"

    def __init__(self, cards: OfferCards, writer: ThreadWriter, calls: SlackCalls) -> None:
        self._cards = cards
        self._writer = writer
        self._calls = calls

    def reaches(self, agent: AgentConfig) -> bool:
        return bool(agent.slack_user_id)

    async def show_offer(self, agent: AgentConfig, view: OfferView) -> str:
        return await self._cards.show(agent, view)

    async def update_offer(self, agent: AgentConfig, view: OfferView, ref: str) -> None:
        await self._cards.update(view, ref)

    async def open_thread(self, chat: Chat, agent: AgentConfig | None) -> ThreadRef:
        return await self._writer.open(chat, agent)

    async def deliver(self, thread: ThreadRef, chat: Chat, event: ChatEvent) -> None:
        await self._writer.deliver(thread, chat, event)

    async def notify_agent(self, agent: AgentConfig, text: str) -> None:
        channel = await self._cards.dm_channel(agent.slack_user_id)
        await self._calls.post(channel=channel, text=escape(text))
