"""Posts into a chat's thread carry the bridge events they show (Slack message metadata). If the process dies
(or a call fails) between Slack storing a post and delivery moving its cursor, the core retries that event
saying so, and the thread is searched for a post carrying it instead of posting it twice. Only such a
retry costs a `conversations.replies`.
"""

from dataclasses import dataclass
from functools import partial
from typing import Any

from adapters.slack.webapi import SlackCalls
from bridge.ports import ThreadRef

EVENT_TYPE = "csr_bridge_event"
PAGE = 200


@dataclass(frozen=True)
class Posted:
    """What the thread holds of a delivery: the last event it carries, and how many of its parts are there."""

    last: str
    part: int = 1
    parts: int = 1

    @property
    def complete(self) -> bool:
        return self.part >= self.parts


class PostLedger:
    def __init__(self, calls: SlackCalls) -> None:
        self._calls = calls

    @staticmethod
    def metadata(chat_id: str, first: str, last: str, part: int = 1, parts: int = 1) -> dict[str, Any]:
        """What a post carries: the chat, the first and last event it shows (several, when coalesced), and
        which part it is when one long message takes several posts."""
        payload: dict[str, Any] = {"chat": chat_id, "first": first, "last": last}
        if parts > 1:
            payload |= {"part": part, "parts": parts}
        return {"event_type": EVENT_TYPE, "event_payload": payload}

    async def already_posted(self, chat_id: str, thread: ThreadRef, first: str) -> Posted | None:
        """What the thread has of the delivery that starts with `first`, if Slack has any of it."""
        client, cursor, found = self._calls.client, "", None
        while True:
            page = await self._calls.call("conversations.replies", partial(client.conversations_replies,
                channel=thread.conversation, ts=thread.thread_id, include_all_metadata=True, limit=PAGE,
                cursor=cursor or None))
            for message in page.get("messages") or []:
                meta = message.get("metadata") or {}
                payload = meta.get("event_payload") or {}
                if meta.get("event_type") == EVENT_TYPE and payload.get("chat") == chat_id \
                        and payload.get("first") == first:
                    part = int(payload.get("part") or 1)
                    if found is None or part > found.part:
                        found = Posted(str(payload.get("last") or first), part, int(payload.get("parts") or 1))
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or ""
            if not cursor or (found is not None and found.complete):
                return found
