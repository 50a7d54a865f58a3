"""What one delivery pass needs of a chat, read in one round trip.

A lease's first pass reads the chat, its threads and its cursors. Later passes know the threads (only the lease's
holder opens one) and where their sink stands, so they read the chat and the sink's next events, and the claim
riding with that read writes the last pass's cursor and marks the first event as being attempted (see
`Claim`): a pass that posts one event makes one round trip before its post.
"""

from dataclasses import dataclass

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
    chat_hash: dict[str, str]
    """The chat's record as `ChatRepository` keeps it (empty: the chat is gone), for the caller to decode."""
    threads: dict[str, ThreadRef] | None
    """By `platform:queue`, as ThreadStore keeps them; on a lease's first pass only."""
    cursors: dict[str, str] | None
    """On a lease's first pass only."""
    events: list[ChatEvent]
    """With a claim: the sink's next events."""


async def read_snapshot(batch: RedisBatch, keys: Keys, chat_id: str, lease: ChatLease, claim: Claim | None,
                        count: int) -> Snapshot:
    """The chat with, without a claim (a lease's first pass), its threads and cursors; with one, up to `count`
    events after the claim's cursor, the claim written in the same step."""
    pipe = batch.pipeline()
    pipe.hgetall(keys.chat(chat_id))
    if claim is None:
        pipe.hgetall(keys.chat_threads(chat_id))
        pipe.hgetall(keys.chat_cursors(chat_id))
    else:
        await lease.claim_on(pipe, claim, count)
    results = await lease.execute(pipe, claim)
    chat_hash = text_hash(results[0])
    if claim is None:
        return Snapshot(chat_hash, decode_threads(results[1]), text_hash(results[2]), [])
    return Snapshot(chat_hash, None, None, decode_rows(chat_id, lease.claimed(results[1])))
