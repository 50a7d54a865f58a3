"""The Slack adapter's pieces, built once by the plugin and shared by its inbound handlers."""

from collections.abc import Mapping
from dataclasses import dataclass

from adapters.slack.files import SlackFiles
from adapters.slack.forms import SlackForms
from adapters.slack.home import HomeTab
from adapters.slack.offers import OfferCards
from adapters.slack.posts import PostIndex
from adapters.slack.responder import ReplyTo, Responder
from adapters.slack.thread import ThreadWriter
from adapters.slack.webapi import SlackCalls
from bridge.commands.context import CommandContext
from bridge.commands.registry import CommandSpec
from bridge.commands.replies import Reply
from bridge.platform_problems import PlatformErrors
from bridge.ports import Core


@dataclass
class SlackParts:
    core: Core
    specs: Mapping[str, CommandSpec]
    """The core's commands by name: the modals are built from their arguments."""
    calls: SlackCalls
    errors: PlatformErrors
    cards: OfferCards
    writer: ThreadWriter
    files: SlackFiles
    responder: Responder
    home: HomeTab
    forms: SlackForms
    posts: PostIndex

    def context(self, user_id: str, chat_id: str = "", channel: str = "") -> CommandContext:
        """Who runs a command from Slack. The thread is left out on purpose: what a command says to the
        customer (a phrase, a card) is not echoed by Slack, so it must still be posted into the thread."""
        agent = self.core.agents.by_platform_id("slack", user_id)
        return CommandContext(platform="slack", user_id=user_id, agent=agent, chat_id=chat_id, conversation=channel)

    async def run(self, text: str, to: ReplyTo, chat_id: str = "") -> Reply:
        """Runs one core command as the Slack user and answers them with its reply."""
        reply = await self.core.commands.run(text, self.context(to.user, chat_id, to.channel))
        await self.responder.send(reply, to)
        return reply
