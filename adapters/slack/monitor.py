"""Supervisors reading along (`csr monitor`): a link to the chat's thread and, when they are not in its
channel, a live copy in their DM with the bot: a root post there with the recent history under it,
then each new event of the chat as delivery posts it to the thread.

The copy starts after the last event the history showed (kept in Redis with the DM's root, in the same
step as that event is read: monitor_start.lua), so an event is copied once however far delivery lags, and
one appended while the copy's root is posted is in the history. A copy that fails is logged and skipped: it must
not make delivery post the event into the chat's thread again.
"""

import json
import logging
from collections.abc import Callable
from importlib.resources import files

from adapters.slack.avatars import avatar_url
from adapters.slack.mrkdwn import escape
from adapters.slack.offers import OfferCards
from adapters.slack.render.events import render_event
from adapters.slack.webapi import SlackCalls
from bridge.config.agents import AgentConfig
from bridge.config.root import BridgeConfig
from bridge.domain.chat import Chat
from bridge.domain.events import ChatEvent, EventKind
from bridge.events.stream import event_order
from bridge.platform_posts import PlatformPost, PlatformPosts, PostKind
from bridge.ports import AdapterStore, EventReader, ReadAlong, ThreadRef
from bridge.redis_text import text, text_hash
from bridge.riding_read import RidingRead

log = logging.getLogger(__name__)
_START = files("adapters.slack").joinpath("monitor_start.lua").read_text()
HISTORY = 20
COPY_TTL = 7 * 86400


class Monitors:
    def __init__(self, config: BridgeConfig, calls: SlackCalls, cards: OfferCards, stream: EventReader,
                 store: AdapterStore, workspace_url: Callable[[], str]) -> None:
        self._config = config
        self._calls = calls
        self._cards = cards
        self._stream = stream
        self._redis = store.redis
        self._keys = store.keys
        self._batch = store.batch
        self._made = PlatformPosts(store.redis, store.keys, store.batch)
        self._start = store.redis.register_script(_START)
        self._workspace_url = workspace_url

    def link(self, thread: ThreadRef) -> str:
        """The thread's permalink; Slack's channel redirect when the workspace URL is not known yet."""
        base = self._workspace_url()
        if base:
            return f"{base}archives/{thread.conversation}/p{thread.thread_id.replace('.', '')}"
        return f"https://slack.com/app_redirect?channel={thread.conversation}"

    async def invite(self, thread: ThreadRef, chat: Chat, agent: AgentConfig) -> ReadAlong:
        link = self.link(thread)
        if await self._member(thread.conversation, agent.slack_user_id):
            return ReadAlong(link, "member")
        dm = await self._cards.dm_channel(agent.slack_user_id)
        key = self._keys.slack_monitors(chat.id)
        if await self._redis.hexists(key, dm):
            return ReadAlong(link, "copy")
        queue = self._config.queue_display_name(chat.queue)
        root = await self._calls.post(
            channel=dm, unfurl_links=False,
            text=f":eyes: Reading along with {escape(chat.customer.name)} ({escape(queue)}): <{link}|the chat's "
                 "thread>. Its messages are copied under this post as they come.")
        root_ts = str(root["ts"])
        await self._made.record(chat.id, PlatformPost("slack", dm, root_ts, PostKind.ROOT))
        last = text(await self._start(keys=[key, self._keys.chat_events(chat.id)], args=[dm, root_ts, COPY_TTL]))
        history = [e for e in await self._stream.read_all(chat.id) if event_order(e.id) <= event_order(last)]
        for event in history[-HISTORY:]:
            await self._post(dm, root_ts, chat, event)
        return ReadAlong(link, "copy")

    def copies(self, chat_id: str) -> RidingRead:
        """The read of a chat's live copies, to be made after a post in its thread (the post's record may carry
        it): a supervisor who starts reading along once the post is made gets its events in the history."""
        return RidingRead(lambda pipe: pipe.hgetall(self._keys.slack_monitors(chat_id)))

    async def copy(self, chat: Chat, events: list[ChatEvent], copies: RidingRead) -> None:
        """Called for each post made in the chat's thread, with the events it carried and `copies` (read once the
        post was made)."""
        key = self._keys.slack_monitors(chat.id)
        for dm, raw in text_hash((await copies.replies(self._batch))[0]).items():
            copy = json.loads(raw)
            for event in events:
                if event_order(event.id) <= event_order(copy["after"]):
                    continue
                try:
                    await self._post(dm, copy["root"], chat, event)
                except Exception:  # the thread got the event; a lost copy must not repeat it there
                    log.warning("live copy of chat %s to %s failed", chat.id, dm, exc_info=True)
        if any(event.kind == EventKind.CLOSED for event in events):
            await self._redis.delete(key)

    async def _post(self, dm: str, root: str, chat: Chat, event: ChatEvent) -> None:
        icon = avatar_url(str(self._config.server.public_url), chat.customer.name, chat.id)
        for post in render_event(chat, event, icon):
            posted = await self._calls.post(channel=dm, thread_ts=root, text=post.text, blocks=post.blocks or None,
                                            username=post.username or None, icon_url=post.icon_url or None,
                                            unfurl_links=False, unfurl_media=False)
            await self._made.record(chat.id, PlatformPost("slack", dm, str(posted["ts"]), PostKind.POST))
        for attachment in event.attachments:
            posted = await self._calls.post(channel=dm, thread_ts=root, text=f":paperclip: "
                                            f"{escape(event.author.name)} sent {escape(attachment.filename)} "
                                            "(in the chat's thread).")
            await self._made.record(chat.id, PlatformPost("slack", dm, str(posted["ts"]), PostKind.POST))

    async def _member(self, channel: str, user: str) -> bool:
        cursor = ""
        while True:
            response = await self._calls.call(
                "conversations.members",
                lambda: self._calls.client.conversations_members(channel=channel, limit=1000, cursor=cursor or None))
            if user in (response.get("members") or []):
                return True
            cursor = str((response.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                return False
