"""A chat's thread in one of its queue's channels: the header as root, every event of the chat under it.

The thread opens in the queue's least busy channel that works (bridge.thread_root) and stays there: every
later post goes to the channel its ThreadRef names.

Posts always name the root's ts as `thread_ts`. Consecutive customer messages waiting in the stream
are posted as one while they fit (the stream and transcript keep them apart), and delivery moves past
all of them; a message too long for one post goes in parts. Each post names the events it carries
(adapters.slack.ledger), so when the core says an attempt may have reached Slack before a crash, the
thread is searched instead of posting twice, and only the missing parts are posted.
"""

import asyncio
from collections.abc import Sequence
from itertools import takewhile

from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack.avatars import avatar_url
from adapters.slack.context_card import SlackContextCard
from adapters.slack.files import SlackFiles
from adapters.slack.ledger import PostLedger
from adapters.slack.posts import PostIndex
from adapters.slack.reactions import CustomerReactions
from adapters.slack.render.blocks import Message
from adapters.slack.render.cards import thread_header
from adapters.slack.render.events import Post, customer_burst, is_customer_text, render_event
from adapters.slack.webapi import SlackCalls
from bridge.clock import now
from bridge.config.agents import AgentConfig
from bridge.domain.chat import Chat
from bridge.domain.events import ChatEvent, EventKind
from bridge.events.stream import event_order
from bridge.platform_posts import PlatformPost, PostKind
from bridge.ports import Core, ThreadRef
from bridge.riding_read import RidingRead
from bridge.thread_root import post_root

HEADER_EVENTS = {EventKind.ACCEPTED, EventKind.TRANSFERRED, EventKind.CLOSED}
REREAD_AFTER_SECONDS = 0.05
"""Waiting this long for the channel's turn means more of the burst may have come: read again."""


def _coalescable(event: ChatEvent) -> bool:
    return is_customer_text(event) and not event.attachments


def _joining(first: ChatEvent, following: Sequence[ChatEvent]) -> list[str]:
    """The texts a post may join: `first`'s, and the customer messages right after it (not after a file)."""
    return [first.text, *([] if first.attachments else [e.text for e in takewhile(_coalescable, following)])]


class ThreadWriter:
    def __init__(self, core: Core, calls: SlackCalls, files: SlackFiles, posts: PostIndex,
                 card: SlackContextCard) -> None:
        self._config = core.config
        self._card = card
        self._calls = calls
        self._ledger = PostLedger(calls)
        self._files = files
        self._posts = posts
        self._made = core.posts
        self._reactions = CustomerReactions(calls, posts, core.events)
        self._chats = core.chats
        self._stream = core.events
        self._threads = core.threads

    async def open(self, chat: Chat, agent: AgentConfig | None) -> ThreadRef:
        channels = self._config.slack.channels_of(chat.queue)
        if not channels:
            raise LookupError(f"queue {chat.queue} has no Slack channel; add it under [slack.channels]")
        header = self._header(chat, agent)
        channel, response = await post_root(
            self._made.load, "slack", channels, f"{chat.id}:{chat.queue}",
            lambda channel: self._calls.post(channel=channel, text=header.text, blocks=header.blocks,
                                             unfurl_links=False, unfurl_media=False))
        root = str(response["ts"])
        await self._made.record(chat.id, PlatformPost("slack", channel, root, PostKind.ROOT))
        await self._retire_other_threads(chat)
        return ThreadRef(platform="slack", conversation=channel, thread_id=root)

    async def deliver(self, thread: ThreadRef, chat: Chat, event: ChatEvent, following: Sequence[ChatEvent],
                      retry: bool, after: RidingRead | None = None) -> list[ChatEvent]:
        """Returns the events the posts carried: `event`, and the burst after it when merged. `after`: a read
        the caller makes once the posts are made, carried by a customer message's record when there is one."""
        carried = [event]
        if event.kind is EventKind.REACTION:
            await self._reactions.deliver(event)
        elif event.kind is EventKind.CONTEXT:
            await self._card.show(thread, chat, following)
        elif is_customer_text(event):
            carried = await self._customer_burst(thread, chat, event, following, retry, after)
        else:
            for post in render_event(chat, event, self._icon(chat)):
                if not (retry and await self._ledger.already_posted(chat.id, thread, event.id)):
                    posted = await self._calls.post(
                        channel=thread.conversation, thread_ts=thread.thread_id, text=post.text,
                        blocks=post.blocks or None, unfurl_links=False, unfurl_media=False,
                        metadata=self._ledger.metadata(chat.id, event.id, event.id))
                    await self._record(thread, chat, event.id, posted, reactable=event.kind is EventKind.MESSAGE)
        sender = event.author.name or chat.customer.name
        for attachment in event.attachments:
            await self._made.record(chat.id, *await self._files.to_thread(thread, attachment, sender))
        if event.kind in HEADER_EVENTS:
            await self.refresh_header(thread, chat.id)
        return carried

    async def refresh_header(self, thread: ThreadRef, chat_id: str) -> None:
        """The root shows who has the chat now, and drops its buttons once the chat has ended."""
        chat = await self._chats.get(chat_id)
        if chat is None:
            return
        header = self._header(chat, self._config.agent(chat.agent_id))
        await self._calls.update(channel=thread.conversation, ts=thread.thread_id, text=header.text,
                                 blocks=header.blocks)

    async def _retire_other_threads(self, chat: Chat) -> None:
        """A queue transfer moved the chat to a new thread: the old header says where, and loses its buttons."""
        for key, old in (await self._threads.all(chat.id)).items():
            queue = key.partition(":")[2]
            if old.platform != "slack" or queue == chat.queue:
                continue
            shown = self._config.queue_display_name
            header = thread_header(chat, "", shown(queue), self._config.slack.note_prefix, now(),
                                   moved_to=shown(chat.queue))
            await self._calls.update(channel=old.conversation, ts=old.thread_id, text=header.text, blocks=header.blocks)

    async def _customer_burst(self, thread: ThreadRef, chat: Chat, event: ChatEvent, following: Sequence[ChatEvent],
                              retry: bool, after: RidingRead | None) -> list[ChatEvent]:
        posted = await self._ledger.already_posted(chat.id, thread, event.id) if retry else None
        if posted is not None and posted.complete:
            return [event, *[e for e in await self._stream.read_after(chat.id, event.id, count=50)
                             if event_order(e.id) <= event_order(posted.last)]]
        burst = customer_burst(chat, _joining(event, following), self._icon(chat))
        if len(burst.posts) > 1:
            await self._long_message(thread, chat, event, burst.posts, posted.part if posted else 0)
            return [event]
        batch = [event, *following][:burst.carried]
        loop = asyncio.get_running_loop()
        asked = loop.time()

        async def post() -> AsyncSlackResponse:
            """Runs once the channel's turn has come; a long wait may have brought more of the burst."""
            nonlocal burst
            if loop.time() - asked > REREAD_AFTER_SECONDS:
                fresh = await self._stream.read_after(chat.id, event.id, count=50)
                burst = customer_burst(chat, _joining(event, fresh), self._icon(chat))
                batch[:] = [event, *fresh][:burst.carried]
            message = burst.posts[0]
            return await self._calls.direct_post(
                channel=thread.conversation, thread_ts=thread.thread_id, text=message.text,
                username=message.username, icon_url=message.icon_url, unfurl_links=False, unfurl_media=False,
                metadata=self._ledger.metadata(chat.id, event.id, batch[-1].id))

        response = await self._calls.call("chat.postMessage", post, thread.conversation, paced=True)
        await self._record(thread, chat, batch[-1].id, response, after=after)
        return batch

    async def _long_message(self, thread: ThreadRef, chat: Chat, event: ChatEvent, posts: list[Post],
                            done: int) -> None:
        """One message too long for a post, in parts; a retry posts the parts the thread doesn't have yet."""
        for part, message in enumerate(posts, 1):
            if part <= done:
                continue
            posted = await self._calls.post(
                channel=thread.conversation, thread_ts=thread.thread_id, text=message.text, username=message.username,
                icon_url=message.icon_url, unfurl_links=False, unfurl_media=False,
                metadata=self._ledger.metadata(chat.id, event.id, event.id, part, len(posts)))
            await self._record(thread, chat, event.id, posted)

    async def _record(self, thread: ThreadRef, chat: Chat, event_id: str, response: AsyncSlackResponse,
                      reactable: bool = True, after: RidingRead | None = None) -> None:
        """Where the post went, for erasure and (`reactable`) for reactions on it, in one round trip, which
        also carries `after`."""
        along = self._made.batch.pipeline()
        if after is not None:
            after.board(along)
        if reactable:
            self._posts.remember_in(along, chat.id, event_id, thread.conversation, str(response["ts"]))
        results = await self._made.record(chat.id, self._post(thread, response), along=along)
        if after is not None:
            after.arrived(results)

    @staticmethod
    def _post(thread: ThreadRef, response: AsyncSlackResponse) -> PlatformPost:
        return PlatformPost("slack", thread.conversation, str(response["ts"]), PostKind.POST)

    def _header(self, chat: Chat, agent: AgentConfig | None) -> Message:
        return thread_header(chat, agent.display_name if agent else "", self._config.queue_display_name(chat.queue),
                             self._config.slack.note_prefix, now())

    def _icon(self, chat: Chat) -> str:
        return avatar_url(str(self._config.server.public_url), chat.customer.name, chat.id)
