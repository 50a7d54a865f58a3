"""A chat's co-browse session in Redis: asked -> active -> ended (or declined / lapsed).

One session per chat at a time. Each change is one Lua script that checks the state it starts from, so a
customer's answer racing the CSR's stop (or two `serve` processes) never leaves a session half-changed.
"""

import secrets
from dataclasses import dataclass
from enum import StrEnum

from redis.asyncio import Redis

from bridge.clock import now
from bridge.keys import Keys
from bridge.redis_text import text_hash, text_or_none

ENDED_KEEP_SECONDS = 3600
"""How long an ended session's record stays readable (the widget learns that it ended)."""

_MOVE = """
local state = redis.call('HGET', KEYS[1], 'state')
local sid = redis.call('HGET', KEYS[1], 'sid')
if ARGV[1] ~= '' and sid ~= ARGV[1] then return {'', state or ''} end
local allowed = false
for s in string.gmatch(ARGV[2], '[^,]+') do
  if s == (state or 'none') then allowed = true end
end
if not allowed then return {'', state or ''} end
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
local ttl = tonumber(ARGV[3])
if ttl > 0 then redis.call('EXPIRE', KEYS[1], ttl) else redis.call('PERSIST', KEYS[1]) end
return {redis.call('HGET', KEYS[1], 'sid'), state or ''}
"""


class State(StrEnum):
    ASKED = "asked"
    ACTIVE = "active"
    ENDED = "ended"
    DECLINED = "declined"


LIVE = (State.ASKED, State.ACTIVE)


@dataclass(frozen=True)
class Session:
    sid: str
    chat_id: str
    state: State
    agent_id: str
    asked_at: float
    started_at: float = 0.0
    ended_at: float = 0.0
    reason: str = ""

    @property
    def live(self) -> bool:
        return self.state in LIVE


class Sessions:
    def __init__(self, redis: Redis, keys: Keys, ask_seconds: float) -> None:
        self._redis = redis
        self._keys = keys
        self._ask_seconds = ask_seconds
        self._move = redis.register_script(_MOVE)

    async def current(self, chat_id: str) -> Session | None:
        """The chat's session; an unanswered request past its time reads as declined ("lapsed")."""
        raw = text_hash(await self._redis.hgetall(self._keys.cobrowse_chat(chat_id)))
        if not raw.get("sid"):
            return None
        session = Session(sid=raw["sid"], chat_id=chat_id, state=State(raw["state"]), agent_id=raw.get("agent_id", ""),
                          asked_at=float(raw.get("asked_at", 0)), started_at=float(raw.get("started_at", 0)),
                          ended_at=float(raw.get("ended_at", 0)), reason=raw.get("reason", ""))
        if session.state == State.ASKED and now() - session.asked_at > self._ask_seconds:
            return Session(**{**session.__dict__, "state": State.DECLINED, "reason": "lapsed"})
        return session

    async def chat_of(self, sid: str) -> str | None:
        return text_or_none(await self._redis.get(self._keys.cobrowse_session(sid)))

    async def ask(self, chat_id: str, agent_id: str) -> Session | None:
        """Starts a request; None when one is already asked or running (a lapsed request may be asked again)."""
        current = await self.current(chat_id)
        if current is not None and current.live:
            return None
        sid = secrets.token_urlsafe(12)
        start = "none,ended,declined" + (",asked" if current is not None else "")
        moved, _ = await self._move(keys=[self._keys.cobrowse_chat(chat_id)],
                                    args=["", start, 0, "sid", sid, "state", State.ASKED.value,
                                          "agent_id", agent_id, "asked_at", now(), "started_at", 0,
                                          "ended_at", 0, "reason", ""])
        if not moved:
            return None
        await self._redis.set(self._keys.cobrowse_session(sid), chat_id)
        return await self.current(chat_id)

    async def accept(self, chat_id: str, sid: str) -> Session | None:
        current = await self.current(chat_id)
        if current is None or current.sid != sid or current.state != State.ASKED:
            return None
        moved, _ = await self._move(keys=[self._keys.cobrowse_chat(chat_id)],
                                    args=[sid, State.ASKED.value, 0, "state", State.ACTIVE.value,
                                          "started_at", now()])
        return await self.current(chat_id) if moved else None

    async def finish(self, chat_id: str, sid: str, reason: str, declined: bool = False) -> tuple[Session, State] | None:
        """Ends (or declines) a live session; returns it and the state it was in, or None if it was not live."""
        state = State.DECLINED if declined else State.ENDED
        moved, was = await self._move(keys=[self._keys.cobrowse_chat(chat_id)],
                                      args=[sid, "asked" if declined else "asked,active", ENDED_KEEP_SECONDS,
                                            "state", state.value, "ended_at", now(), "reason", reason])
        if not moved:
            return None
        await self._redis.expire(self._keys.cobrowse_session(sid), ENDED_KEEP_SECONDS)
        session = await self.current(chat_id)
        return (session, State(was)) if session is not None else None
