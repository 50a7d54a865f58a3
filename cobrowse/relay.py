"""The DOM stream between the customer's tab and the viewers, through Redis so any `serve` process serves either.

The customer's recorder sends batches of rrweb events; each batch is one stream entry, kept as the text it
came in (the bridge never rebuilds it). A batch that starts a page (rrweb's Meta event, type 4) marks where a
viewer can start. Limits are per session and per 10-second window (bytes and batches), counted in Redis with
the append, so a runaway mutation loop or a huge page is cut off instead of filling Redis or stalling a viewer.
"""

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bridge.config.cobrowse import CobrowseLimits
from bridge.keys import Keys
from bridge.redis_text import encodable, stream_rows, streams_read, text_hash

WINDOW_MS = 10_000
PARSE_INLINE_CHARS = 64 * 1024
META = 4
"""rrweb's EventType.Meta: the first event of every full snapshot (a new page or a viewer's request)."""

_APPEND = """
if redis.call('HGET', KEYS[4], 'sid') ~= ARGV[9] or redis.call('HGET', KEYS[4], 'state') ~= 'active' then
  return {'', 'ended'}
end
local bytes = redis.call('INCRBY', KEYS[2], ARGV[2])
if bytes == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[2], ARGV[6]) end
local frames = redis.call('INCR', KEYS[3])
if frames == 1 then redis.call('PEXPIRE', KEYS[3], ARGV[6]) end
if bytes > tonumber(ARGV[3]) then return {'', 'bytes'} end
if frames > tonumber(ARGV[4]) then return {'', 'frames'} end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[5], '*', 'd', ARGV[1], 'm', ARGV[7])
redis.call('PEXPIRE', KEYS[1], ARGV[8])
local recorded = tonumber(redis.call('HGET', KEYS[6], 'bytes') or '0')
if ARGV[10] == '1' and recorded + tonumber(ARGV[2]) <= tonumber(ARGV[11]) then
  redis.call('XADD', KEYS[5], id, 'd', ARGV[1])
  redis.call('HINCRBY', KEYS[6], 'bytes', ARGV[2])
  redis.call('PEXPIRE', KEYS[5], ARGV[8])
  redis.call('PEXPIRE', KEYS[6], ARGV[8])
end
return {id, ''}
"""


class Refused(Exception):
    """A batch the relay will not carry; `reason` is what both sides are told."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Entry:
    id: str
    data: str = ""
    """The batch as the recorder sent it (JSON text), or "" for a control entry."""
    meta: bool = False
    end: str = ""
    """Set on the last entry of a session: why it ended."""


def checked_batch(text: str, limits: CobrowseLimits) -> bool:
    """Validates a recorder batch (`{"events": [{type, timestamp, data}, ...]}`); returns whether it starts a
    page. Raises Refused for anything else."""
    if len(text.encode("utf-8", "surrogatepass")) > limits.max_frame_bytes:
        raise Refused("page_too_big")
    try:
        body: Any = json.loads(text)
    except (ValueError, RecursionError):
        raise Refused("bad_frame") from None
    events = body.get("events") if isinstance(body, dict) else None
    if not isinstance(events, list) or not events or len(body) != 1:
        raise Refused("bad_frame")
    for event in events:
        if (not isinstance(event, dict) or type(event.get("type")) is not int
                or not isinstance(event.get("timestamp"), int | float) or "data" not in event):
            raise Refused("bad_frame")
    return events[0]["type"] == META


class Relay:
    def __init__(self, redis: Redis, keys: Keys, limits: CobrowseLimits, keep_seconds: int, record: bool) -> None:
        self._redis = redis
        self._record = record
        self._keys = keys
        self._limits = limits
        self._keep_ms = keep_seconds * 1000
        self._append = redis.register_script(_APPEND)

    async def append(self, chat_id: str, sid: str, text: str) -> str:
        """Stores one batch for the viewers; raises Refused (bad, too big, over the session's budget, or the
        session is no longer active: nothing is stored after its end)."""
        # A page's snapshot can be megabytes: parsed off the event loop, so other chats never wait for it.
        meta = (await asyncio.to_thread(checked_batch, text, self._limits) if len(text) > PARSE_INLINE_CHARS
                else checked_batch(text, self._limits))
        keys = self._keys
        limits = self._limits
        entry_id, over = await self._append(
            keys=[keys.cobrowse_dom(sid), keys.cobrowse_budget(sid, "bytes"), keys.cobrowse_budget(sid, "frames"),
                  keys.cobrowse_chat(chat_id), keys.cobrowse_recording(sid), keys.cobrowse_recording_info(sid)],
            args=[text, len(text.encode("utf-8", "surrogatepass")), limits.bytes_per_10s, limits.frames_per_10s,
                  limits.stream_entries, WINDOW_MS, "1" if meta else "", self._keep_ms, sid,
                  "1" if self._record else "", limits.recording_bytes])
        if over:
            raise Refused("ended" if over == "ended" else "too_fast")
        return str(entry_id)

    async def end(self, sid: str, reason: str) -> None:
        """Tells the viewers and the customer's tab that the session is over."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.xadd(self._keys.cobrowse_dom(sid), {"end": reason or "ended"}, maxlen=self._limits.stream_entries,
                      approximate=True)
            pipe.xadd(self._keys.cobrowse_control(sid), {"end": reason or "ended"}, maxlen=100, approximate=True)
            pipe.expire(self._keys.cobrowse_dom(sid), 600)
            pipe.expire(self._keys.cobrowse_control(sid), 600)
            await pipe.execute()

    async def forget(self, sid: str) -> None:
        """Nothing of the page stays once the session is over: only the end marker `end` wrote, for viewers."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.xtrim(self._keys.cobrowse_dom(sid), maxlen=1, approximate=False)
            pipe.delete(self._keys.cobrowse_budget(sid, "bytes"), self._keys.cobrowse_budget(sid, "frames"))
            await pipe.execute()

    async def keep_recording(self, sid: str, info: dict[str, str], seconds: int) -> bool:
        """At the end of a recorded session: its recording and what it was stay for `seconds`. False when
        nothing was recorded."""
        recording, about = self._keys.cobrowse_recording(sid), self._keys.cobrowse_recording_info(sid)
        if not await self._redis.exists(recording):
            return False
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(about, mapping=encodable(info))
            pipe.expire(recording, seconds)
            pipe.expire(about, seconds)
            await pipe.execute()
        return True

    async def recording_info(self, sid: str) -> dict[str, str]:
        return text_hash(await self._redis.hgetall(self._keys.cobrowse_recording_info(sid)))

    async def recording(self, sid: str, after: str, count: int) -> list[Entry]:
        """A kept recording, in order, `count` batches after `after` ("-" from the start)."""
        start = "-" if after == "-" else f"({after}"
        rows = await self._redis.xrange(self._keys.cobrowse_recording(sid), min=start, count=count)
        return [Entry(id=str(i), data=f.get("d", "")) for i, f in stream_rows(rows)]

    async def ask_snapshot(self, sid: str) -> str:
        """Asks the customer's tab for a full snapshot; returns the DOM stream's id to read after."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.xinfo_stream(self._keys.cobrowse_dom(sid))
            pipe.xadd(self._keys.cobrowse_control(sid), {"snapshot": "1"}, maxlen=100, approximate=True)
            pipe.expire(self._keys.cobrowse_control(sid), self._keep_ms // 1000)
            info, *_ = await pipe.execute(raise_on_error=False)
        if isinstance(info, Exception):  # no stream yet: everything from the start
            return "0"
        return str(info.get("last-generated-id") or info.get("last_generated_id") or "0")

    async def read(self, sid: str, after: str, block_ms: int) -> list[Entry]:
        rows = await self._redis.xread({self._keys.cobrowse_dom(sid): after}, block=block_ms, count=50)
        return [Entry(id=i, data=f.get("d", ""), meta=bool(f.get("m")), end=f.get("end", ""))
                for _s, entries in streams_read(rows or []) for i, f in entries]

    async def first_id(self, sid: str) -> str | None:
        rows = await self._redis.xrange(self._keys.cobrowse_dom(sid), count=1)
        return str(rows[0][0]) if rows else None

    async def control(self, sid: str, after: str, block_ms: int) -> list[tuple[str, dict[str, str]]]:
        rows = await self._redis.xread({self._keys.cobrowse_control(sid): after}, block=block_ms, count=20)
        return [(i, f) for _s, entries in streams_read(rows or []) for i, f in entries]

    async def control_end(self, sid: str) -> str:
        info = await self._redis.exists(self._keys.cobrowse_control(sid))
        if not info:
            return "0"
        last = await self._redis.xrevrange(self._keys.cobrowse_control(sid), count=1)
        return str(last[0][0]) if last else "0"
