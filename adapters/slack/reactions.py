"""The customer's reactions in a chat's thread: the bot's own reaction on the message it went on.

The customer reacts on a CSR's message; the post index (or the reply's own ts) says which Slack message
shows it, and the bot adds or removes the same emoji there. Slack answering "already there" or "not there"
means the thread already shows what the chat says; a message or name Slack can't take is logged and
passed over (a reaction is not worth holding the thread's deliveries for), while a missing scope or a
brief outage is raised like any delivery failure.
"""

import logging

from slack_sdk.errors import SlackApiError

from adapters.slack.posts import PostIndex, SlackMessage
from adapters.slack.problems import NEEDS_PERSON
from adapters.slack.shortcodes import slack_name
from adapters.slack.webapi import SlackCalls, is_transient
from bridge.domain.events import AuthorKind, ChatEvent
from bridge.ports import EventReader

log = logging.getLogger(__name__)
SETTLED = {"already_reacted", "no_reaction"}


class CustomerReactions:
    def __init__(self, calls: SlackCalls, posts: PostIndex, events: EventReader) -> None:
        self._calls = calls
        self._posts = posts
        self._events = events

    async def deliver(self, event: ChatEvent) -> None:
        if event.author.kind is not AuthorKind.CUSTOMER:
            return  # a CSR's reaction was made on their platform already
        target, key = str(event.data.get("target", "")), str(event.data.get("key", ""))
        name, where = slack_name(key), await self._message_of(event.chat_id, target)
        if name is None or where is None:
            log.info("reaction %s of chat %s not shown on Slack: %s", event.id, event.chat_id,
                     "no Slack name for it" if name is None else "its message is not known here")
            return
        client = self._calls.client
        removed = bool(event.data.get("removed"))
        method, call = ("reactions.remove", client.reactions_remove) if removed else \
            ("reactions.add", client.reactions_add)
        try:
            await self._calls.call(method, lambda: call(channel=where.channel, timestamp=where.ts, name=name),
                                   where.channel)
        except SlackApiError as exc:
            error = str(exc.response.get("error", ""))
            if is_transient(exc) or error in NEEDS_PERSON:
                raise
            if error not in SETTLED:
                log.warning("Slack refused %s %s on %s/%s (%s); passed over", method, name, where.channel, where.ts,
                            error)

    async def _message_of(self, chat_id: str, target: str) -> SlackMessage | None:
        if (posted := await self._posts.post_of(chat_id, target)) is not None:
            return posted
        event = await self._events.get(chat_id, target)
        if event is not None and event.origin.platform == "slack" and event.origin.conversation:
            return SlackMessage(event.origin.conversation, event.origin.event_id)
        return None
