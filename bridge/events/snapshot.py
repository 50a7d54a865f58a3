"""What one delivery pass needs of a chat, read in one round trip: the chat, its threads and the next events.

The pass before may have left its cursor unwritten (see ChatDelivery); that write rides in the same
pipeline, ahead of the reads.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from bridge.chats import from_hash
from bridge.domain.chat import Chat
from bridge.domain.events import ChatEvent
from bridge.events.lease import ChatLease, LeaseLost
from bridge.events.stream import decode_rows, range_start
from bridge.events.threads import decode_threads
from bridge.keys import Keys
from bridge.ports import ThreadRef
from bridge.redis_batch import RedisBatch


@dataclass(frozen=True)
class Snapshot:
    chat: Chat | None
    threads: dict[str, ThreadRef]
    """By `platform:queue`, as ThreadStore keeps them."""
    events: list[ChatEvent]
    cursors: dict[str, str] | None
    """Read on a lease's first pass only; later passes know where they stand."""


async def read_snapshot(batch: RedisBatch, keys: Keys, chat_id: str, after: str | None, count: int, lease: ChatLease,
                        flush: Mapping[str, str] | None = None) -> Snapshot:
    """Events after `after`; when it is None (a lease's first pass), the cursors instead of events."""
    pipe = batch.pipeline()
    if flush:
        await lease.mark(flush, pipe=pipe)
    pipe.hgetall(keys.chat(chat_id))
    pipe.hgetall(keys.chat_threads(chat_id))
    if after is None:
        pipe.hgetall(keys.chat_cursors(chat_id))
    else:
        pipe.xrange(keys.chat_events(chat_id), range_start(after), "+", count=count)
    results = await batch.execute(pipe)
    if flush and not results.pop(0):
        raise LeaseLost(keys.chat(chat_id))
    chat_raw, threads_raw, last = results
    cursors, events = (last, []) if after is None else (None, decode_rows(chat_id, last))
    return Snapshot(from_hash(chat_raw) if chat_raw else None, decode_threads(threads_raw), events, cursors)
