"""Which chat message a Matrix event shows, and the other way round, for reactions (and receipts) on either side.

A CSR's own message is remembered when it is taken in (adapters.matrix.chat_input); a post the bridge
sends for a chat message (a customer's words, merged or not, a phrase) once the homeserver has taken it.
A merged post stands for the last message it carries. Every post made for a chat is also recorded with the
chat (bridge.platform_posts), so erasing the customer's data finds it.
"""

import json

from redis.asyncio import Redis

from adapters.matrix.outbox import OutboxEntry
from bridge.keys import Keys
from bridge.platform_posts import PlatformPost, PlatformPosts, PostKind
from bridge.ports import EventReader
from bridge.redis_text import text_or_none

EVENT_TTL = 30 * 24 * 3600


async def remember_post(redis: Redis, keys: Keys, room_id: str, event_id: str, entries: list[OutboxEntry],
                        sender: str = "") -> None:
    """`sender`: the ghost that posted it (appservice mode), else the bot."""
    if chat_id := next((e.chat_id for e in entries if e.chat_id), ""):
        kind = PostKind.FILE if any(e.attachment for e in entries) else PostKind.POST
        await PlatformPosts(redis, keys).record(chat_id, PlatformPost("matrix", room_id, event_id, kind, sender))
    shown = [e for e in entries if e.chat_event and e.chat_id]
    if not shown:
        return
    last = shown[-1]
    async with redis.pipeline(transaction=False) as pipe:
        pipe.set(keys.matrix_event(event_id), json.dumps({"role": "post", "chat": last.chat_id, "thread": last.thread,
                                                         "event": last.chat_event}), ex=EVENT_TTL)
        for entry in shown:
            pipe.set(keys.matrix_post_of(entry.chat_id, entry.chat_event), event_id, ex=EVENT_TTL)
        await pipe.execute()


async def matrix_event_of(redis: Redis, keys: Keys, events: EventReader, chat_id: str,
                          chat_event: str) -> str | None:
    """The Matrix event showing a chat message: the bridge's post of it, or the CSR's own message (its origin).
    For what goes on it: a reaction, a receipt."""
    if (posted := text_or_none(await redis.get(keys.matrix_post_of(chat_id, chat_event)))) is not None:
        return posted
    event = await events.get(chat_id, chat_event)
    if event is not None and event.origin.platform == "matrix" and event.origin.event_id.startswith("$"):
        return event.origin.event_id
    return None
