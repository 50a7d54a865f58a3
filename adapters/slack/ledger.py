"""Posts into a chat's thread carry the bridge events they show (Slack message metadata). If the process dies
(or a call fails) between Slack storing a post and delivery moving its cursor, the core retries that event
saying so, and the thread is searched for a post carrying it instead of posting it twice. Only such a
retry costs a `conversations.replies`.
"""

from typing import Any

from adapters.slack.webapi import SlackCalls
from bridge.ports import ThreadRef

EVENT_TYPE = "csr_bridge_event"
PAGE = 200


class PostLedger:
    def __init__(self, calls: SlackCalls) -> None:
        self._calls = calls

    @staticmethod
    def metadata(chat_id: str, first: str, last: str) -> dict[str, Any]:
        """What a post carries: the chat, and the first and last event it shows (several, when coalesced)."""
        return {"event_type": EVENT_TYPE, "event_payload": {"chat": chat_id, "first": first, "last": last}}

    async def already_posted(self, chat_id: str, thread: ThreadRef, first: str) -> str | None:
        """The last event of the post in the thread that starts with `first`, if Slack has one."""
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
