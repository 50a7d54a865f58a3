"""Queues an email for each reply a CSR writes in a claimed left message's thread, as the change feed reports
new events of the chat. One RQ job per reply (its job id names the reply, so seeing it twice queues it once);
the job sends it and keeps the sent record (followup.jobs)."""

from redis.asyncio import Redis

from bridge.chats import ChatRepository
from bridge.config.email import EmailConfig
from bridge.domain.chat import Chat
from bridge.domain.events import AuthorKind, ChatEvent, EventKind
from bridge.events.stream import ChatStream
from bridge.jobs import Enqueue
from bridge.keys import Keys
from bridge.redis_text import text_or_none

JOB = "followup.jobs.send_reply"
KEEP_SECONDS = 90 * 86400


def emailed(chat: Chat, event: ChatEvent) -> bool:
    """A CSR's own words to the customer, after the claim (cards and notes are not mailed)."""
    return (event.kind == EventKind.MESSAGE and event.author.kind == AuthorKind.AGENT and not event.internal
            and bool(event.text.strip()) and event.ts >= chat.claimed_at)


class EmailFollowUp:
    def __init__(self, config: EmailConfig, redis: Redis, keys: Keys, chats: ChatRepository, stream: ChatStream,
                 enqueue: Enqueue) -> None:
        self._config = config
        self._redis = redis
        self._keys = keys
        self._chats = chats
        self._stream = stream
        self._enqueue = enqueue

    async def on_chat_change(self, chat_id: str) -> None:
        if not self._config.enabled:
            return
        chat = await self._chats.get(chat_id)
        if chat is None or not chat.claimed_at or not chat.customer.email:
            return
        key = self._keys.mail_cursor(chat_id)
        cursor = text_or_none(await self._redis.get(key)) or "0"
        events = await self._stream.read_after(chat_id, cursor, count=200)
        for event in events:
            if emailed(chat, event):
                await self._enqueue(JOB, chat_id, event.id, 0, job_id=job_id(self._keys.prefix, chat_id, event.id))
        if events:
            await self._redis.set(key, events[-1].id, ex=KEEP_SECONDS)


def job_id(prefix: str, chat_id: str, event_id: str, attempt: int = 0) -> str:
    return f"{prefix}-mail-{chat_id}-{event_id}-{attempt}"
