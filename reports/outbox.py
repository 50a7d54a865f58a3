"""Replies that finish after their command (a report built in an RQ job), and their delivery.

The job appends each reply to a Redis stream and announces it on the change feed; a serve process
reads it as a work stream (`WorkStream`: one process posts each reply) and hands the reply to
the platform the command came from, which renders it like any command reply. Files travel inside
the entry (base64) and the entry is deleted once posted. A reply whose post failed stays pending and
is claimed again on the next announcement or retry, up to MAX_ATTEMPTS.
"""

import asyncio
import base64
import json
import logging
from dataclasses import asdict, dataclass
from typing import Any

from redis.asyncio import Redis

from bridge.commands.replies import FileReply, Reply, Table, Text
from bridge.config.agents import AgentConfig
from bridge.events.feed import ChangeFeed
from bridge.events.work_stream import Entry, WorkStream
from bridge.keys import Keys
from bridge.ports import AgentSurface, SupervisorSurface
from bridge.roster import Roster

log = logging.getLogger(__name__)
GROUP = "posters"
FEED_KIND = "report"
MAXLEN = 10_000
CLAIM_IDLE_MS = 60_000
MAX_ATTEMPTS = 5
RETRY_SECONDS = (2.0, 10.0, 30.0)


@dataclass(frozen=True)
class ReplyTo:
    """Who asked and where: private replies go to their DM; public ones to `conversation` (and `thread`)."""

    agent_id: str
    platform: str
    conversation: str = ""
    thread: str = ""


def encode(reply: Reply) -> str:
    if isinstance(reply, FileReply):
        return json.dumps({"type": "file", "filename": reply.filename, "content_type": reply.content_type,
                           "data": base64.b64encode(reply.data).decode(), "comment": reply.comment,
                           "public": reply.public})
    if isinstance(reply, Table):
        return json.dumps({"type": "table", "title": reply.title, "columns": reply.columns, "rows": reply.rows,
                           "public": reply.public})
    if isinstance(reply, Text):
        return json.dumps({"type": "text", "text": reply.text, "error": reply.error, "public": reply.public})
    raise TypeError(f"a later reply can't be a {type(reply).__name__}")


def decode(raw: str) -> Reply:
    d: dict[str, Any] = json.loads(raw)
    kind = d.pop("type")
    if kind == "file":
        return FileReply(d["filename"], d["content_type"], base64.b64decode(d["data"]), d["comment"], d["public"])
    if kind == "table":
        return Table(d["title"], tuple(d["columns"]), tuple(tuple(r) for r in d["rows"]), d["public"])
    return Text(d["text"], d["public"], d["error"])


class ReplyOutbox:
    def __init__(self, redis: Redis, keys: Keys, feed: ChangeFeed, roster: Roster,
                 surfaces: dict[str, AgentSurface]) -> None:
        """`surfaces` is the app's live map (adapters add theirs after this is built)."""
        self._feed = feed
        self._roster = roster
        self._surfaces = surfaces
        self._work = WorkStream(redis, keys.reports_outbox, GROUP)
        self._retry: asyncio.Task[None] | None = None

    async def put(self, to: ReplyTo, replies: list[Reply]) -> None:
        """Queues the replies in order and wakes the serve processes."""
        for reply in replies:
            await self._work.add({**asdict(to), "reply": encode(reply)}, maxlen=MAXLEN, approximate=True)
        await self._feed.publish(FEED_KIND, to.agent_id)

    async def on_notice(self, _agent_id: str) -> None:
        """Change-feed handler: post whatever is waiting (pending ones this process or a dead one left too)."""
        await self._work.ensure_group()
        failed = await self._post_all(await self._work.claim(CLAIM_IDLE_MS))
        while entries := await self._work.read_new():
            failed |= await self._post_all(entries)
        if failed:
            self._retry_later()

    async def _post_all(self, entries: list[Entry]) -> bool:
        failed = False
        for entry_id, fields in entries:
            if not await self._post(entry_id, fields):
                failed = True
        return failed

    async def _post(self, entry_id: str, fields: dict[str, str]) -> bool:
        """True when the entry is done with (posted, or given up on)."""
        agent = self._roster.by_id(fields.get("agent_id", ""))
        surface = self._surface(agent, fields.get("platform", "")) if agent else None
        if agent is None or surface is None:
            log.warning("a later reply for %s has no platform to go to; dropped", fields.get("agent_id"))
            return await self._done(entry_id)
        try:
            await surface.send_reply(agent, decode(fields["reply"]), key=f"later.{entry_id}",
                                     conversation=fields.get("conversation", ""), thread=fields.get("thread", ""))
        except Exception:  # any platform failure: the entry stays pending and is tried again
            attempts = await self._work.deliveries(entry_id) or MAX_ATTEMPTS
            log.exception("a later reply for %s failed (attempt %d)", agent.id, attempts)
            return await self._done(entry_id) if attempts >= MAX_ATTEMPTS else False
        return await self._done(entry_id)

    def _surface(self, agent: AgentConfig, platform: str) -> SupervisorSurface | None:
        surfaces = self._surfaces
        ordered = [surfaces[platform]] if platform in surfaces else []
        ordered += [s for p, s in surfaces.items() if p != platform]
        return next((s for s in ordered if isinstance(s, SupervisorSurface) and s.reaches(agent)), None)

    async def _done(self, entry_id: str) -> bool:
        await self._work.ack(entry_id, delete=True)
        return True

    def _retry_later(self) -> None:
        if self._retry is None or self._retry.done():
            self._retry = asyncio.create_task(self._retry_loop())

    async def _retry_loop(self) -> None:
        for delay in RETRY_SECONDS:
            await asyncio.sleep(delay)
            claimed = await self._work.claim(int(delay * 1000) - 100)
            if not claimed:
                return
            if not await self._post_all(claimed):
                return
