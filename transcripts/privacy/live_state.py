"""A chat's state in Redis, all of it: the chat and its stream, every key named after it, and the index
entries that point at it (its platform posts, its attachments' uploads, its cases, its co-browse sessions).

Keys under `chat:ID:` are found by a scan, so a key family added later is erased without being listed here.
"""

import re
from collections.abc import Iterable

from redis.asyncio import Redis

from bridge.domain.events import ChatEvent
from bridge.events.threads import decode_threads, lookup_keys
from bridge.keys import Keys
from bridge.platform_posts import PlatformPost
from bridge.redis_text import text_hash, text_or_none
from transcripts.archive import cases_of

SCAN_BATCH = 500
_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")
"""Chat and co-browse session ids; anything else (a glob character) never goes into a scan pattern."""


class LiveState:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys

    async def delete(self, chat_id: str, events: Iterable[ChatEvent], posts: Iterable[PlatformPost]) -> int:
        """Deletes the chat's keys and its entries in shared sets; returns how many keys went."""
        if not _ID.fullmatch(chat_id):
            raise ValueError(f"not a chat id: {chat_id!r}")
        k, events = self._keys, list(events)
        threads = decode_threads(text_hash(await self._redis.hgetall(k.chat_threads(chat_id))))
        sessions = {str(e.data["recording"]) for e in events if e.data.get("recording")}
        sessions.add(text_or_none(await self._redis.hget(k.cobrowse_chat(chat_id), "sid")) or "")
        sessions = {sid for sid in sessions if _ID.fullmatch(sid)}
        named = [k.chat(chat_id), k.lock(f"deliver:{chat_id}"), k.matrix_reactions(chat_id),
                 k.slack_monitors(chat_id), k.cobrowse_chat(chat_id)]
        named += await lookup_keys(self._redis, k, chat_id, threads.values())
        named += [key for e in events for key in (k.slack_event_post(chat_id, e.id), k.matrix_post_of(chat_id, e.id))]
        named += [k.matrix_media(a.id) for e in events for a in e.attachments]
        named += [k.case(c.reference) for c in cases_of(events)]
        named += [k.slack_post(p.conversation, p.post_id) if p.platform == "slack" else k.matrix_event(p.post_id)
                  for p in posts]
        named += [key for sid in sessions for key in (k.cobrowse_recording(sid), k.cobrowse_recording_info(sid))]
        patterns = [f"{k.chat(chat_id)}:*", k.case_draft("*", chat_id), *(f"{k.cobrowse_session(sid)}*"
                                                                           for sid in sessions)]
        for pattern in patterns:
            named += [key async for key in self._redis.scan_iter(match=pattern, count=SCAN_BATCH)]
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(*named)
            pipe.srem(k.open_chats, chat_id)
            pipe.zrem(k.archive_pending, chat_id)
            pipe.hdel(k.archive_failures, chat_id)
            pipe.hdel(k.archive_parked, chat_id)
            deleted, *_ = await pipe.execute()
        return int(deleted)
