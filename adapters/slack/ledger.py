"""Posts into a chat's thread carry the bridge event they start with (Slack message metadata), and the event
is noted before the post is made. If the process dies (or a call fails) between Slack storing a post and
delivery moving its cursor, the next attempt at that event finds the note, looks in the thread for a post
carrying it, and skips it instead of posting it twice. Only that retry costs a `conversations.replies`.
"""

from typing import Any

from redis.asyncio import Redis

from adapters.slack.webapi import SlackCalls
from bridge.keys import Keys
from bridge.ports import ThreadRef

EVENT_TYPE = "csr_bridge_event"
ATTEMPTS_TTL = 7 * 86400
PAGE = 200


class PostLedger:
    def __init__(self, redis: Redis, keys: Keys, calls: SlackCalls) -> None:
        self._redis = redis
        self._keys = keys
        self._calls = calls

    @staticmethod
    def metadata(chat_id: str, first: str, last: str) -> dict[str, Any]:
        """What a post carries: the chat, and the first and last event it shows (several, when coalesced)."""
        return {"event_type": EVENT_TYPE, "event_payload": {"chat": chat_id, "first": first, "last": last}}

    async def begin(self, chat_id: str, thread: ThreadRef, first: str) -> None:
        key = self._keys.slack_attempts(chat_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, thread.thread_id, first)
            pipe.expire(key, ATTEMPTS_TTL)
            await pipe.execute()

    async def already_posted(self, chat_id: str, thread: ThreadRef, first: str) -> str | None:
        """The last event of the post that starts with `first`, if one was begun before and Slack has it."""
        if await self._redis.hget(self._keys.slack_attempts(chat_id), thread.thread_id) != first:
            return None
        client, cursor = self._calls.client, ""
        while True:
            page = await self._calls.call("conversations.replies", lambda c=cursor: client.conversations_replies(
                channel=thread.conversation, ts=thread.thread_id, include_all_metadata=True, limit=PAGE,
                cursor=c or None))
            for message in page.get("messages") or []:
                meta = message.get("metadata") or {}
                payload = meta.get("event_payload") or {}
                if meta.get("event_type") == EVENT_TYPE and payload.get("chat") == chat_id \
                        and payload.get("first") == first:
                    return str(payload.get("last") or first)
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or ""
            if not cursor:
                return None
