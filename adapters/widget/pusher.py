"""Pushes a chat's events, the CSR's typing and how far the CSR has read to the customer's socket.

Sockets wait on the process-wide change feed (one Redis reader for all of them); a wake reads the chat's
stream after the last id sent, so a lost or doubled notification loses or doubles nothing. It skips the read
when the feed's announcements show nothing new, or only the customer's own message this process just stored.
"""

import asyncio
import contextlib
import math

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.websockets import WebSocket

from adapters.widget.api_chats import PAGE
from adapters.widget.context import WidgetContext
from adapters.widget.views import event_out
from bridge.clock import now
from bridge.domain.events import AuthorKind, ChatEvent, EventKind
from bridge.events.feed import Announced, ChangeFeed
from bridge.events.stream import event_order
from bridge.events.typing import Typist
from bridge.ports import EventReader

RECHECK_SECONDS = 20.0
"""Re-read the stream this often even without a notification (belt and braces after a feed hiccup)."""
REDIS_RETRY_SECONDS = 0.5


async def push_events(ctx: WidgetContext, ws: WebSocket, chat_id: str, after: str, closed: asyncio.Event) -> int:
    """Sends the chat's customer-visible events after `after`, and the CSR's typing and reading, until `closed`."""
    feed, last, shown, spoke, seen = ctx.core.feed, after, None, 0.0, ""
    chat = await ctx.core.chats.get(chat_id)
    words = ctx.words(chat.customer.language if chat else "")
    # Waiters for the socket's life, cleared before each read: any change wakes it, and which kind came
    # decides whether the typing and read signals are read again (on their change or a recheck, not on every event).
    wake, chat_ev, signal_ev = asyncio.Event(), asyncio.Event(), asyncio.Event()
    waiters = [(f"chat:{chat_id}", ev) for ev in (wake, chat_ev)] + \
        [(f"{kind}:{chat_id}", ev) for kind in ("typing", "read") for ev in (wake, signal_ev)]
    for entity, ev in waiters:
        feed.waiter(entity, ev)
    signals_due, heard, known = True, None, None
    try:
        while not closed.is_set():
            for ev in (wake, chat_ev, signal_ev):
                ev.clear()
            try:
                if known is None:
                    heard = feed.announced(chat_id)
                    batch = await ctx.core.events.read_after(chat_id, last, count=PAGE)
                else:
                    batch = known
                for event in batch:
                    last = event.id
                    if event.customer_visible:
                        # pydantic writes the event's JSON itself: no dict to build and encode again per message
                        await ws.send_text(f'{{"type":"event","event":{event_out(event, words).model_dump_json()}}}')
                    if event.kind == EventKind.CLOSED or (event.kind == EventKind.MESSAGE
                                                          and event.author.kind == AuthorKind.AGENT):
                        spoke = math.inf if event.kind == EventKind.CLOSED else event.ts
                typist = await _agent_typing(ctx, chat_id) if signals_due else _unexpired(shown)
                if typist is not None and typist.since <= spoke:
                    typist = None  # they have sent their message (or the chat ended) since
                if typist != shown:  # a new or renewed signal, or the end of one; never a repeat
                    name = typist.name if typist else ""
                    await ws.send_json({"type": "typing", "typing": bool(typist), "name": name})
                    shown = typist
                mark = (await ctx.reads.current(chat_id)).get(AuthorKind.AGENT.value, "") if signals_due else seen
                if mark != seen:
                    await ws.send_json({"type": "read", "agent": mark})
                    seen = mark
                if len(batch) < PAGE and not closed.is_set():  # closed is set before the pusher is cancelled
                    await _wait(wake, RECHECK_SECONDS)
                signals_due = signal_ev.is_set() or not chat_ev.is_set()
                known = await known_unread(feed, ctx.core.events, chat_id, last, heard) if chat_ev.is_set() \
                    else [] if signal_ev.is_set() else None
            except (RedisConnectionError, RedisTimeoutError):
                signals_due, known = True, None
                # Redis is away for a moment: the socket stays open and pushing resumes after `last`.
                await _wait_any(closed, timeout=REDIS_RETRY_SECONDS)
    finally:
        for entity, ev in waiters:
            feed.release(entity, ev)
    return 0


async def known_unread(feed: ChangeFeed, events: EventReader, chat_id: str, last: str,
                       heard: Announced | None) -> list[ChatEvent] | None:
    """The events announced since the stream was read (`heard` is what the feed had announced then), when this
    process knows them without reading: none, or the one it stored itself right after `last`. None: read."""
    now_heard = feed.announced(chat_id)
    if heard is None or now_heard is None or now_heard.unnamed != heard.unnamed:
        return None
    if event_order(now_heard.newest) <= event_order(last):
        return []
    own = await events.appended_after(chat_id, last)
    return [own] if own is not None and own.id == now_heard.newest else None


async def _agent_typing(ctx: WidgetContext, chat_id: str) -> Typist | None:
    return (await ctx.typing.current(chat_id)).get(AuthorKind.AGENT.value)


def _unexpired(typist: Typist | None) -> Typist | None:
    return typist if typist is not None and typist.until > now() else None


async def _wait(event: asyncio.Event, timeout: float) -> None:
    """Until `event` is set or `timeout` passes, without a task of its own (one wake per message)."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout):
            await event.wait()


async def _wait_any(*events: asyncio.Event, timeout: float) -> None:
    waits = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()
