"""The customer's live signals in the thread, as their ghost (appservice mode only): typing and read receipts.

Driven by the change feed (`typing:ID`, `read:ID`) in the Matrix leader. Only a ghost that is already in
the chat's room signals (it joins with the customer's first words). Throttled per chat: a typing change
sent at once, a renewal at most every `RENEW_SECONDS`, a receipt only when the customer's mark moved. Failures are
logged and dropped; the next signal says the same.
"""

import logging
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

from adapters.matrix.appservice.ghosts import Ghosts, ghost_id
from adapters.matrix.appservice.masquerade import Masquerade
from adapters.matrix.client import TRANSIENT_ERRORS, MatrixError
from adapters.matrix.posts import matrix_event_of
from adapters.matrix.signals import RENEW_SECONDS
from bridge.chats import ChatRepository
from bridge.config.matrix import MatrixConfig
from bridge.events.receipts import ReadMarks
from bridge.events.typing import TYPING_SECONDS, TypingSignals
from bridge.keys import Keys
from bridge.ports import EventReader, ThreadLookup

log = logging.getLogger(__name__)


class CustomerSignals:
    def __init__(self, cfg: MatrixConfig, redis: Redis, keys: Keys, chats: ChatRepository, threads: ThreadLookup,
                 events: EventReader, typing: TypingSignals, reads: ReadMarks, ghosts: Ghosts,
                 masquerade: Masquerade) -> None:
        self._cfg = cfg
        self._chats = chats
        self._redis = redis
        self._keys = keys
        self._threads = threads
        self._events = events
        self._typing = typing
        self._reads = reads
        self._ghosts = ghosts
        self._as = masquerade
        self._typing_sent: dict[str, tuple[bool, float]] = {}
        self._read_sent: dict[str, str] = {}

    async def on_typing(self, chat_id: str) -> None:
        try:
            typing = "customer" in await self._typing.current(chat_id)
            last = self._typing_sent.get(chat_id)
            moment = time.monotonic()
            if (last is None and not typing) or (last is not None and last[0] == typing
                                                  and (not typing or moment - last[1] < RENEW_SECONDS)):
                return
            where = await self._where(chat_id)
            if where is None:
                return
            room, _ = where
            self._typing_sent[chat_id] = (typing, moment)
            if not typing:
                self._typing_sent.pop(chat_id, None)
            await self._as.typing(room, ghost_id(self._cfg, chat_id), typing, int(TYPING_SECONDS * 1000))
        except (MatrixError, RedisError, *TRANSIENT_ERRORS) as exc:
            log.debug("the customer's typing in %s was not shown: %s", chat_id, exc)

    async def on_read(self, chat_id: str) -> None:
        try:
            event_id = (await self._reads.current(chat_id)).get("customer", "")
            if not event_id or self._read_sent.get(chat_id) == event_id:
                return
            where = await self._where(chat_id)
            target = await matrix_event_of(self._redis, self._keys, self._events, chat_id, event_id)
            if where is None or not target:
                return
            room, root = where
            self._read_sent[chat_id] = event_id
            await self._as.receipt(room, target, ghost_id(self._cfg, chat_id), root)
        except (MatrixError, RedisError, *TRANSIENT_ERRORS) as exc:
            log.debug("the customer's read receipt in %s was not sent: %s", chat_id, exc)

    async def _where(self, chat_id: str) -> tuple[str, str] | None:
        """The chat's Matrix room and thread root, when its ghost is in that room."""
        chat = await self._chats.get(chat_id)
        thread = await self._threads.get(chat) if chat is not None and chat.platform == "matrix" else None
        if thread is None or not await self._ghosts.joined(thread.conversation, ghost_id(self._cfg, chat_id)):
            return None
        return thread.conversation, thread.thread_id
