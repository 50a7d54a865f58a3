"""Turns an outbox batch into the one event that is posted: merged text, a file, or ready content."""

from typing import Any

from redis.asyncio import Redis

from adapters.matrix.client import MatrixError
from adapters.matrix.media import Media
from adapters.matrix.outbox import Batch, OutboxEntry
from adapters.matrix.relations import in_thread
from adapters.matrix.render import html_text, notice
from bridge.keys import Keys
from bridge.redis_text import text_or_none


class Composer:
    def __init__(self, redis: Redis, keys: Keys, media: Media) -> None:
        self._redis = redis
        self._keys = keys
        self._media = media

    async def compose(self, batch: Batch) -> tuple[str, dict[str, Any]]:
        first = batch.entries[0]
        if first.content is not None:
            content, event_type = dict(first.content), first.event_type
        elif first.attachment is not None:
            content, event_type = await self._file(first), "m.room.message"
        else:
            content, event_type = text_post(batch.entries), "m.room.message"
        if first.thread and event_type == "m.room.message" and "m.relates_to" not in content:
            latest = batch.latest
            if latest is None or first.thread != batch.thread:
                latest = text_or_none(await self._redis.get(self._keys.matrix_thread_last(first.thread)))
            content = in_thread(content, first.thread, str(latest or ""))
        return event_type, content

    async def _file(self, entry: OutboxEntry) -> dict[str, Any]:
        attachment = entry.attachment
        assert attachment is not None
        caption = attachment.filename if entry.sender else f"{entry.label} sent {attachment.filename}"
        try:
            mxc = await self._media.upload(attachment)
        except MatrixError as exc:
            if exc.transient:
                raise
            return notice(f"{caption}, which the homeserver refused ({exc.errcode or exc})")
        if mxc is None:
            return notice(f"{caption}, but the file is no longer stored")
        return {"msgtype": entry.msgtype, "body": caption, "filename": attachment.filename, "url": mxc,
                "info": {"mimetype": attachment.content_type, "size": attachment.size}}


def text_post(entries: list[OutboxEntry]) -> dict[str, Any]:
    """One post for one or more consecutive messages of the same author: the name once, a line each (none
    when a ghost posts them: its own name shows)."""
    label = "" if entries[0].sender else entries[0].label
    bodies = [e.body for e in entries]
    htmls = [e.html or html_text(e.body) for e in entries]
    body = "\n".join(bodies)
    html = "<br>".join(htmls)
    if label:
        body, html = f"{label}: {body}", f"<b>{html_text(label)}:</b> {html}"
    return {"msgtype": entries[0].msgtype, "body": body, "format": "org.matrix.custom.html", "formatted_body": html}
