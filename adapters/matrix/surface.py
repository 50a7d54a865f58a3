"""The core's view of Matrix (bridge.ports.AgentSurface and SupervisorSurface): offers, chat threads,
deliveries, notices, supervisors reading along, and replies that come after their command.

Thread headers and offer cards are sent at once (the core needs their event ids); everything else
goes through the room's outbox, so `deliver` returns as soon as the post is safely queued. A header goes to
the least busy of its queue's rooms that takes it (bridge.thread_root), as on Slack.
"""

import asyncio
import json
from collections.abc import Sequence

from nio import AsyncClient
from redis.asyncio import Redis

from adapters.matrix.cards import header
from adapters.matrix.client import ok
from adapters.matrix.commands import MatrixCommands
from adapters.matrix.context_card import MatrixContextCard
from adapters.matrix.dms import DirectRooms
from adapters.matrix.lanes import Wake
from adapters.matrix.offers import OfferCards
from adapters.matrix.outbox import Outbox, OutboxEntry
from adapters.matrix.poster import Poster, txn_id
from adapters.matrix.reactions import CustomerReactions
from adapters.matrix.render import event_entries, notice
from adapters.matrix.session import Session
from adapters.matrix.signals import remember_typist
from bridge.commands.replies import Reply
from bridge.config.agents import AgentConfig
from bridge.domain.chat import Chat
from bridge.domain.events import ChatEvent, EventKind
from bridge.domain.ids import new_id
from bridge.platform_posts import PlatformPost, PostKind
from bridge.ports import Core, OfferView, ReadAlong, ThreadRef
from bridge.thread_root import post_root

READY_TIMEOUT = 15.0
HEADER_TTL = 30 * 24 * 3600


class NotConnected(Exception):
    """The bot has not logged in yet; the core retries later."""


class MatrixSurface:
    platform = "matrix"

    def __init__(self, core: Core, client: AsyncClient, session: Session, poster: Poster, outbox: Outbox,
                 dms: DirectRooms, offers: OfferCards, commands: MatrixCommands, wake: Wake,
                 ready: asyncio.Event, card: MatrixContextCard) -> None:
        self._core = core
        self._card = card
        self._client = client
        self._redis: Redis = core.store.redis
        self._session = session
        self._poster = poster
        self._outbox = outbox
        self._dms = dms
        self._offers = offers
        self._commands = commands
        self._wake = wake
        self._ready = ready
        self._reactions = CustomerReactions(client, poster, self._redis, core.store.keys, core.events)

    def reaches(self, agent: AgentConfig) -> bool:
        return bool(agent.matrix_user_id)

    async def show_offer(self, agent: AgentConfig, view: OfferView) -> str:
        await self._connected()
        return await self._offers.show(agent, view)

    async def update_offer(self, agent: AgentConfig, view: OfferView, ref: str) -> None:
        await self._offers.update(view, ref)

    async def open_thread(self, chat: Chat, agent: AgentConfig | None) -> ThreadRef:
        await self._connected()
        rooms = await self._session.rooms_of_queue(chat.queue)
        usable = [r for r in rooms if not await self._redis.exists(self._core.store.keys.matrix_refused(r))]
        if not usable:
            raise RuntimeError(f"the {chat.queue} queue's rooms {', '.join(rooms)} are end-to-end encrypted; "
                               "chats can't open there")
        cfg = self._core.config.matrix
        content = header(chat, agent.display_name if agent else "", self._core.config, cfg.command_prefix,
                         cfg.note_prefix)
        tx = txn_id(f"header.{chat.id}.{chat.queue}")
        room, root = await post_root(self._core.posts.load, "matrix", usable, f"{chat.id}:{chat.queue}",
                                     lambda room: self._poster.send(room, content, tx, attempts=3))
        await self._redis.set(self._core.store.keys.matrix_event(root), json.dumps({"role": "header", "chat": chat.id}),
                              ex=HEADER_TTL)
        await self._core.posts.record(chat.id, PlatformPost("matrix", room, root, PostKind.ROOT))
        return ThreadRef(platform="matrix", conversation=room, thread_id=root)

    async def deliver(self, thread: ThreadRef, chat: Chat, event: ChatEvent, following: Sequence[ChatEvent],
                      retry: bool) -> str | None:
        """Queues the event's posts; the outbox keys them by event, so a retry never queues one twice.
        The customer's reactions go at once: they need the event id of the post they go on."""
        if event.kind is EventKind.REACTION:
            await self._connected()
            await self._reactions.deliver(thread, event)
            return None
        if event.kind in (EventKind.ACCEPTED, EventKind.TRANSFERRED) and chat.agent_id:
            agent = self._core.config.agent(chat.agent_id)
            if agent is not None and agent.matrix_user_id:
                await remember_typist(self._redis, self._core.store.keys, thread.conversation, agent.matrix_user_id,
                                      chat.id)
        if event.kind == EventKind.CONTEXT:
            await self._connected()
            await self._card.show(thread, chat, event, following)
            return None
        queued = False
        for entry in event_entries(event, chat, thread.thread_id, self._core.config):
            queued = await self._outbox.put(thread.conversation, entry) or queued
        if queued:
            self._wake(thread.conversation, thread.thread_id)
        return None

    async def notify_agent(self, agent: AgentConfig, text: str) -> None:
        await self._connected()
        room = await self._dms.room_for(agent)
        await self._outbox.put(room, OutboxEntry(key=f"notify.{new_id(16)}", content=notice(text)))
        self._wake(room, "")

    async def invite_supervisor(self, thread: ThreadRef, chat: Chat, agent: AgentConfig) -> ReadAlong:
        """A supervisor reads the thread in its room: already there, or invited now."""
        await self._connected()
        room, user = thread.conversation, agent.matrix_user_id
        members = ok(await self._client.joined_members(room), f"members of {room}").members
        how = "member"
        if user not in {m.user_id for m in members}:
            await self._poster.request(lambda: self._client.room_invite(room, user), f"invite {user} to {room}")
            how = "invited"
        server = self._core.config.matrix.user_id.split(":", 1)[1]
        return ReadAlong(link=f"https://matrix.to/#/{room}/{thread.thread_id}?via={server}", how=how)

    async def send_reply(self, agent: AgentConfig, reply: Reply, key: str, conversation: str = "",
                         thread: str = "") -> None:
        await self._connected()
        await self._commands.answer(reply, sender=agent.matrix_user_id, agent=agent,
                                    room_id=conversation or await self._dms.room_for(agent),
                                    thread=thread if conversation else "", key=key)

    async def _connected(self) -> None:
        try:
            await asyncio.wait_for(self._ready.wait(), READY_TIMEOUT)
        except TimeoutError:
            raise NotConnected("the Matrix bot is not logged in yet") from None
