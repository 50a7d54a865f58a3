"""A chat's thread in its queue's channel: the header as root, every event of the chat under it.

Posts always name the root's ts as `thread_ts`. Consecutive customer messages waiting in the stream
when the channel's turn comes are posted as one (the stream and transcript keep them apart); the
last event such a post carried is kept in Redis so a retry or another process skips them. Each post
names the event it starts with (adapters.slack.ledger), so one cut off by a crash is not made twice.
"""

from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack.avatars import avatar_url
from adapters.slack.files import SlackFiles
from adapters.slack.ledger import PostLedger
from adapters.slack.render.blocks import Message
from adapters.slack.render.cards import thread_header
from adapters.slack.render.events import MAX_TEXT, customer_post, render_event
from adapters.slack.webapi import SlackCalls
from bridge.app import BridgeApp
from bridge.clock import now
from bridge.config.agents import AgentConfig
from bridge.domain.chat import Chat
from bridge.domain.events import AuthorKind, ChatEvent, EventKind
from bridge.ports import ThreadRef

HEADER_EVENTS = {EventKind.ACCEPTED, EventKind.TRANSFERRED, EventKind.CLOSED}
COALESCED_TTL = 7 * 86400


def _id(event_id: str) -> tuple[int, int]:
    ms, _, seq = event_id.partition("-")
    return int(ms or 0), int(seq or 0)


def _coalescable(event: ChatEvent) -> bool:
    return event.kind is EventKind.MESSAGE and event.author.kind is AuthorKind.CUSTOMER \
        and not event.attachments and bool(event.text)


class ThreadWriter:
    def __init__(self, app: BridgeApp, calls: SlackCalls, files: SlackFiles) -> None:
        self._config = app.config
        self._calls = calls
        self._ledger = PostLedger(app.redis, app.keys, calls)
        self._files = files
        self._chats = app.chats
        self._stream = app.stream
        self._threads = app.threads
        self._redis = app.redis
        self._keys = app.keys

    async def open(self, chat: Chat, agent: AgentConfig | None) -> ThreadRef:
        channel = self._config.slack.channels.get(chat.queue)
        if not channel:
            raise LookupError(f"queue {chat.queue} has no Slack channel; add it under [slack.channels]")
        header = self._header(chat, agent)
        response = await self._calls.post(channel=channel, text=header.text, blocks=header.blocks,
                                          unfurl_links=False, unfurl_media=False)
        await self._retire_other_threads(chat)
        return ThreadRef(platform="slack", conversation=channel, thread_id=str(response["ts"]))

    async def deliver(self, thread: ThreadRef, chat: Chat, event: ChatEvent) -> None:
        if _coalescable(event):
            await self._customer_burst(thread, chat, event)
            return
        post = render_event(chat, event, self._icon(chat))
        if post is not None and await self._ledger.already_posted(chat.id, thread, event.id) is None:
            await self._ledger.begin(chat.id, thread, event.id)
            await self._calls.post(channel=thread.conversation, thread_ts=thread.thread_id, text=post.text,
                                   blocks=post.blocks or None, username=post.username or None,
                                   icon_url=post.icon_url or None, unfurl_links=False, unfurl_media=False,
                                   metadata=self._ledger.metadata(chat.id, event.id, event.id))
        sender = event.author.name or chat.customer.name
        for attachment in event.attachments:
            await self._files.to_thread(thread, attachment, sender)
        if event.kind in HEADER_EVENTS:
            await self.refresh_header(thread, chat.id)

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
            header = thread_header(chat, "", self._queue_name(queue), self._config.slack.note_prefix, now(),
                                   moved_to=self._queue_name(chat.queue))
            await self._calls.update(channel=old.conversation, ts=old.thread_id, text=header.text, blocks=header.blocks)

    async def _customer_burst(self, thread: ThreadRef, chat: Chat, event: ChatEvent) -> None:
        key = self._keys.slack_coalesced(chat.id)
        carried = await self._redis.hget(key, thread.thread_id)
        if carried and _id(event.id) <= _id(carried):
            return
        if (posted := await self._ledger.already_posted(chat.id, thread, event.id)) is not None:
            await self._carried(key, thread, posted)
            return
        batch = [event]
        await self._ledger.begin(chat.id, thread, event.id)

        async def post() -> AsyncSlackResponse:
            """Runs once the channel's turn has come, so the batch holds what arrived while waiting."""
            batch[1:] = await self._following(chat.id, event)
            message = customer_post(chat, [e.text for e in batch], self._icon(chat))
            return await self._calls.client.chat_postMessage(
                channel=thread.conversation, thread_ts=thread.thread_id, text=message.text,
                username=message.username, icon_url=message.icon_url, unfurl_links=False, unfurl_media=False,
                metadata=self._ledger.metadata(chat.id, event.id, batch[-1].id))

        await self._calls.call("chat.postMessage", post, thread.conversation, paced=True)
        if len(batch) > 1:
            await self._carried(key, thread, batch[-1].id)

    async def _carried(self, key: str, thread: ThreadRef, last: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, thread.thread_id, last)
            pipe.expire(key, COALESCED_TTL)
            await pipe.execute()

    async def _following(self, chat_id: str, event: ChatEvent) -> list[ChatEvent]:
        """Customer messages right after `event`, up to a post's worth of text."""
        size = len(event.text)
        out: list[ChatEvent] = []
        for nxt in await self._stream.read_after(chat_id, event.id, count=50):
            size += len(nxt.text) + 1
            if not _coalescable(nxt) or size > MAX_TEXT // 4:
                break
            out.append(nxt)
        return out

    def _header(self, chat: Chat, agent: AgentConfig | None) -> Message:
        return thread_header(chat, agent.display_name if agent else "", self._queue_name(chat.queue),
                             self._config.slack.note_prefix, now())

    def _queue_name(self, name: str) -> str:
        return next((q.display_name for q in self._config.queues if q.name == name), name)

    def _icon(self, chat: Chat) -> str:
        return avatar_url(str(self._config.server.public_url), chat.customer.name, chat.id)
