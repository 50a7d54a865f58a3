"""`!csr ...` in any room the bot is in: the core command layer runs it, and the neutral reply comes
back as an m.notice (so other bots don't answer it), in the thread it was asked in.

Private replies go to the caller's direct room with the bot, since Matrix has no messages only one
member of a room can see; public ones stay where the command was typed. Pages beyond the first wait
in Redis for `!more`.
"""

import json
import logging

from redis.exceptions import RedisError

from adapters.matrix.client import TRANSIENT_ERRORS
from adapters.matrix.dms import DirectRooms
from adapters.matrix.forms import CaseForms
from adapters.matrix.lanes import Wake
from adapters.matrix.media import Media
from adapters.matrix.outbox import Outbox, OutboxEntry
from adapters.matrix.render import notice
from adapters.matrix.replies import render_reply, with_more_hint
from bridge.commands.context import CommandContext
from bridge.commands.replies import FileReply, Reply, Text
from bridge.config.agents import AgentConfig
from bridge.ports import Core
from bridge.redis_text import text_or_none

log = logging.getLogger(__name__)
PAGES_TTL = 3600


class MatrixCommands:
    def __init__(self, core: Core, forms: CaseForms, outbox: Outbox, dms: DirectRooms, media: Media,
                 wake: Wake) -> None:
        self._core = core
        self._redis = core.store.redis
        self._outbox = outbox
        self._dms = dms
        self._media = media
        self._wake = wake
        self.prefix = core.config.matrix.command_prefix
        self.forms = forms

    def command_text(self, body: str) -> str | None:
        """The command in a message (`!csr end` -> `end`), or None when it is not one."""
        head, _, rest = body.strip().partition(" ")
        return rest.strip() if head.lower() == self.prefix.lower() else None

    async def run(self, text: str, *, sender: str, room_id: str, event_id: str, thread: str = "",
                  chat_id: str = "") -> None:
        agent = self._core.agents.by_platform_id("matrix", sender)
        ctx = CommandContext(platform="matrix", user_id=sender, agent=agent, chat_id=chat_id,
                             conversation=room_id, thread_id=thread)
        try:
            reply: Reply = await self._core.commands.run(text, ctx)
        except (RedisError, *TRANSIENT_ERRORS):
            raise
        except Exception:  # a bug or a platform error inside a handler: say so rather than stay silent
            log.exception("a command (%s) from %s failed", text.split(maxsplit=2)[:2], sender)
            reply = Text("That command failed on our side; it has been logged. Try again in a moment.", error=True)
        await self.answer(reply, sender=sender, agent=agent, room_id=room_id, thread=thread, key=event_id)

    async def tell(self, text: str, *, sender: str, room_id: str, thread: str, key: str) -> None:
        """A private word to one person (why their message did not reach the customer)."""
        agent = self._core.agents.by_platform_id("matrix", sender)
        await self.answer(Text(text, error=True), sender=sender, agent=agent, room_id=room_id, thread=thread, key=key)

    async def answer(self, reply: Reply, *, sender: str, agent: AgentConfig | None, room_id: str, thread: str,
                     key: str) -> None:
        reply = await self.forms.shape(reply, sender, thread)
        if not getattr(reply, "public", False) and agent is not None and agent.matrix_user_id:
            dm = await self._dms.room_for(agent)
            if dm != room_id:
                room_id, thread = dm, ""
        if isinstance(reply, FileReply):
            mxc = await self._media.upload_bytes(reply.filename, reply.content_type, reply.data)
            await self._put(room_id, OutboxEntry(key=f"reply.{key}.file", thread=thread, content={
                "msgtype": "m.file", "body": reply.filename, "filename": reply.filename, "url": mxc,
                "info": {"mimetype": reply.content_type, "size": len(reply.data)}}))
        pages = render_reply(reply, self.prefix)
        if not pages:
            return
        first = pages[0]
        if len(pages) > 1:
            pages_key = self._core.store.keys.matrix_pages(sender, room_id)
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.delete(pages_key)
                pipe.rpush(pages_key, *(json.dumps([p[0], p[1], thread]) for p in pages[1:]))
                pipe.expire(pages_key, PAGES_TTL)
                await pipe.execute()
            first = with_more_hint(first, len(pages) - 1)
        await self._put(room_id, OutboxEntry(key=f"reply.{key}", thread=thread, content=notice(*first)))

    async def more(self, *, sender: str, room_id: str, event_id: str) -> None:
        """`!more`: the next page of the caller's last long reply in this room."""
        pages_key = self._core.store.keys.matrix_pages(sender, room_id)
        raw = text_or_none(await self._redis.lpop(pages_key))
        if raw is None:
            page, thread = ("There is nothing more to show.", "There is nothing more to show."), ""
        else:
            body, html, thread = json.loads(raw)
            left = int(await self._redis.llen(pages_key))
            page = with_more_hint((body, html), left) if left else (body, html)
        await self._put(room_id, OutboxEntry(key=f"reply.{event_id}", thread=thread, content=notice(*page)))

    async def _put(self, room_id: str, entry: OutboxEntry) -> None:
        await self._outbox.put(room_id, entry)
        self._wake(room_id, entry.thread)
