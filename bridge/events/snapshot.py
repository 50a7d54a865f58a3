"""What one delivery pass needs of a chat, read in one round trip: the chat, its threads, and its cursors or events.

A lease's first pass reads the cursors. Later passes know where their sink stands, so they read the sink's next
events, and the claim riding with that read writes the last pass's cursor and marks the first event as being
attempted (see `Claim`): a pass that posts one event makes one round trip before its post.
"""

from dataclasses import dataclass

from bridge.chats import from_hash
from bridge.domain.chat import Chat
from bridge.domain.events import ChatEvent
from bridge.events.lease import ChatLease, Claim
from bridge.events.stream import decode_rows
from bridge.events.threads import decode_threads
from bridge.keys import Keys
from bridge.ports import ThreadRef
from bridge.redis_batch import RedisBatch
from bridge.redis_text import text_hash


@dataclass(frozen=True)
class Snapshot:
    chat: Chat | None
    threads: dict[str, ThreadRef]
    """By `platform:queue`, as ThreadStore keeps them."""
    cursors: dict[str, str] | None
    """On a lease's first pass only."""
    events: list[ChatEvent]
    """With a claim: the sink's next events."""


async def read_snapshot(batch: RedisBatch, keys: Keys, chat_id: str, lease: ChatLease, claim: Claim | None,
                        count: int) -> Snapshot:
    """The chat and its threads with, without a claim (a lease's first pass), its cursors; with one, up to
    `count` events after the claim's cursor, the claim written in the same step."""
    pipe = batch.pipeline()
    pipe.hgetall(keys.chat(chat_id))
    pipe.hgetall(keys.chat_threads(chat_id))
    if claim is None:
        pipe.hgetall(keys.chat_cursors(chat_id))
    else:
        await lease.claim_on(pipe, claim, count)
    chat_raw, threads_raw, last = await lease.execute(pipe, claim)
    chat, threads = from_hash(chat_raw) if chat_raw else None, decode_threads(threads_raw)
    if claim is None:
        return Snapshot(chat, threads, text_hash(last), [])
    return Snapshot(chat, threads, None, decode_rows(chat_id, lease.claimed(last)))
