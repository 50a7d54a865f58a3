"""Who may watch a session: one-time viewer links, each bound to one CSR, then to one browser.

A CSR's browser is a plain browser, with no Slack or Matrix login the bridge could check. So a link carries a
random token (256 bits) that Redis knows for `link_minutes`, naming the session and the CSR it was made for.
The first open uses it up and sets an HttpOnly cookie in that browser, bound to that CSR; any later open of
the same link (another CSR's browser, a forwarded link) is refused, as is an expired one. A CSR (or a
supervisor who monitors the chat) asks for a new link with `csr cobrowse link`: the new browser replaces the
old one, which is cut off. Tokens and cookies are stored only as hashes, so Redis holds nothing replayable.
A link's mode says what it opens: the live session, or (for a supervisor) its kept recording.
"""

import hashlib
import secrets
from dataclasses import dataclass

from redis.asyncio import Redis

from bridge.keys import Keys
from bridge.redis_text import text_hash, text_list

VIEWER_SECONDS = 12 * 3600
"""A viewer cookie outlives no session longer than this."""

_OPEN = """
local link = redis.call('HMGET', KEYS[1], 'sid', 'agent_id', 'mode')
if not link[1] then return {} end
redis.call('DEL', KEYS[1])
local sid, agent, mode = link[1], link[2], link[3] or 'live'
local viewers = ARGV[3] .. sid .. ':viewers:' .. mode
local old = redis.call('HGET', viewers, agent)
if old then redis.call('DEL', ARGV[4] .. old) end
redis.call('HSET', viewers, agent, ARGV[1])
redis.call('EXPIRE', viewers, ARGV[2])
redis.call('HSET', ARGV[4] .. ARGV[1], 'sid', sid, 'agent_id', agent, 'mode', mode)
redis.call('EXPIRE', ARGV[4] .. ARGV[1], ARGV[2])
return {sid, agent, mode}
"""


LIVE = "live"
REPLAY = "replay"


@dataclass(frozen=True)
class Viewer:
    sid: str
    agent_id: str
    mode: str = LIVE
    """live: the running session; replay: its kept recording."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


class ViewerLinks:
    def __init__(self, redis: Redis, keys: Keys, link_seconds: float) -> None:
        self._redis = redis
        self._keys = keys
        self._link_seconds = link_seconds
        self._open = redis.register_script(_OPEN)

    async def issue(self, sid: str, agent_id: str, mode: str = LIVE) -> str:
        """A fresh one-time token for this CSR; the link is `/cobrowse/open/<token>`."""
        token = secrets.token_urlsafe(32)
        key = self._keys.cobrowse_link(_hash(token))
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"sid": sid, "agent_id": agent_id, "mode": mode})
            pipe.expire(key, max(1, int(self._link_seconds)))
            await pipe.execute()
        return token

    async def open(self, token: str) -> tuple[Viewer, str] | None:
        """Uses a link up: the viewer it made and the cookie secret to give that browser; None when the token
        is unknown, used or expired."""
        if not 20 <= len(token) <= 100:
            return None
        cookie = secrets.token_urlsafe(32)
        viewer_prefix = self._keys.cobrowse_viewer("")
        sessions_prefix = self._keys.cobrowse_session("")
        found = await self._open(keys=[self._keys.cobrowse_link(_hash(token))],
                                 args=[_hash(cookie), VIEWER_SECONDS, sessions_prefix, viewer_prefix])
        if not found:
            return None
        return Viewer(sid=found[0], agent_id=found[1], mode=found[2]), cookie

    async def viewer(self, cookie: str) -> Viewer | None:
        """The viewer a browser's cookie stands for, if it is still the one bound to its CSR."""
        if not 20 <= len(cookie) <= 100:
            return None
        raw = text_hash(await self._redis.hgetall(self._keys.cobrowse_viewer(_hash(cookie))))
        if not raw.get("sid"):
            return None
        return Viewer(sid=raw["sid"], agent_id=raw["agent_id"], mode=raw.get("mode", LIVE))

    async def revoke_all(self, sid: str) -> None:
        """At the session's end every bound browser is cut off."""
        viewers = self._keys.cobrowse_viewers(sid, LIVE)
        bound = text_list(await self._redis.hvals(viewers))
        await self._redis.delete(viewers, *(self._keys.cobrowse_viewer(v) for v in bound))
