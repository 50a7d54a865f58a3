"""The core's view of Matrix (bridge.ports.AgentSurface): offers, chat threads, deliveries, notices.

Thread headers and offer cards are sent at once (the core needs their event ids); everything else
goes through the room's outbox, so `deliver` returns as soon as the post is safely queued.
"""

import asyncio
import json
from collections.abc import Callable

from redis.asyncio import Redis

from adapters.matrix.dms import DirectRooms
from adapters.matrix.offers import OfferCards
from adapters.matrix.outbox import Outbox, OutboxEntry
from adapters.matrix.poster import Poster, txn_id
from adapters.matrix.render import event_entries, header, notice
from adapters.matrix.session import Session
from bridge.app import BridgeApp
from bridge.config.agents import AgentConfig
from bridge.domain.chat import Chat
from bridge.domain.events import ChatEvent
from bridge.domain.ids import new_id
from bridge.ports import OfferView, ThreadRef

READY_TIMEOUT = 15.0
HEADER_TTL = 30 * 24 * 3600


class NotConnected(Exception):
    """The bot has not logged in yet; the core retries later."""


class MatrixSurface:
    platform = "matrix"

    def __init__(self, app: BridgeApp, redis: Redis, session: Session, poster: Poster, outbox: Outbox,
                 dms: DirectRooms, offers: OfferCards, wake: Callable[[str], None], ready: asyncio.Event) -> None:
        self._app = app
        self._redis = redis
        self._session = session
        self._poster = poster
        self._outbox = outbox
        self._dms = dms
        self._offers = offers
        self._wake = wake
        self._ready = ready

    def reaches(self, agent: AgentConfig) -> bool:
        return bool(agent.matrix_user_id)

    async def show_offer(self, agent: AgentConfig, view: OfferView) -> str:
        await self._connected()
        return await self._offers.show(agent, view)

    async def update_offer(self, agent: AgentConfig, view: OfferView, ref: str) -> None:
        await self._offers.update(view, ref)

    async def open_thread(self, chat: Chat, agent: AgentConfig | None) -> ThreadRef:
        await self._connected()
        room = self._session.room_of_queue(chat.queue)
        if await self._redis.exists(self._app.keys.matrix_refused(room)):
            raise RuntimeError(f"the {chat.queue} queue's room {room} is end-to-end encrypted; chats can't open there")
        cfg = self._app.config.matrix
        content = header(chat, agent.display_name if agent else "", self._app.config, cfg.command_prefix,
                         cfg.note_prefix)
        root = await self._poster.send(room, content, txn_id(f"header.{chat.id}.{chat.queue}"), attempts=3)
        await self._redis.set(self._app.keys.matrix_event(root), json.dumps({"role": "header", "chat": chat.id}),
                              ex=HEADER_TTL)
        return ThreadRef(platform="matrix", conversation=room, thread_id=root)

    async def deliver(self, thread: ThreadRef, chat: Chat, event: ChatEvent) -> None:
        queued = False
        for entry in event_entries(event, chat, thread.thread_id, self._app.config):
            queued = await self._outbox.put(thread.conversation, entry) or queued
        if queued:
            self._wake(thread.conversation)

    async def notify_agent(self, agent: AgentConfig, text: str) -> None:
        await self._connected()
        room = await self._dms.room_for(agent)
        await self._outbox.put(room, OutboxEntry(key=f"notify.{new_id(16)}", content=notice(text)))
        self._wake(room)

    async def _connected(self) -> None:
        try:
            await asyncio.wait_for(self._ready.wait(), READY_TIMEOUT)
        except TimeoutError:
            raise NotConnected("the Matrix bot is not logged in yet") from None
