"""Attachment bytes in the SQL store (`[store] attachments = "database"`, PostgreSQL): every host of the bridge
reaches them, with no shared filesystem.

A chunk table, not PostgreSQL large objects: rows of `CHUNK_BYTES` go through SQLAlchemy and Alembic like every
other table, are deleted with their file by a foreign key (large objects outlive their row unless a trigger or
`vacuumlo` removes them), need no transaction held open while a client downloads (each chunk is one short query,
so slow readers hold no connection), and are dumped and restored by plain `pg_dump`. An upload is written in one
transaction, chunk by chunk as it arrives: a failed or oversized upload leaves nothing behind.
"""

import time

from sqlalchemy import delete, insert, select, update

from bridge.attachments import AttachmentStore, AttachmentsUnavailable, Chunks, valid_attachment_id
from bridge.domain.events import Attachment
from transcripts import tables as t
from transcripts.store import StoreUnavailable, TranscriptStore


class DatabaseAttachments(AttachmentStore):
    def __init__(self, store: TranscriptStore) -> None:
        self._store = store

    async def open(self, attachment_id: str) -> tuple[Attachment, Chunks] | None:
        if not valid_attachment_id(attachment_id):
            return None
        try:
            return await self._open(attachment_id)
        except StoreUnavailable as exc:
            raise AttachmentsUnavailable(str(exc)) from exc

    async def _open(self, attachment_id: str) -> tuple[Attachment, Chunks] | None:
        async with self._store.begin() as conn:
            row = (await conn.execute(select(t.attachments).where(t.attachments.c.id == attachment_id))) \
                .mappings().first()
            count = (await conn.execute(select(t.attachment_chunks.c.seq)
                                        .where(t.attachment_chunks.c.attachment_id == attachment_id)
                                        .order_by(t.attachment_chunks.c.seq.desc()).limit(1))).scalar()
        if row is None:
            return None
        meta = Attachment(id=row["id"], filename=row["filename"], content_type=row["content_type"], size=row["size"])
        return meta, self._chunks(attachment_id, -1 if count is None else count)

    async def _chunks(self, attachment_id: str, last: int) -> Chunks:
        for seq in range(last + 1):
            async with self._store.begin() as conn:
                data = (await conn.execute(select(t.attachment_chunks.c.data)
                                           .where(t.attachment_chunks.c.attachment_id == attachment_id,
                                                  t.attachment_chunks.c.seq == seq))).scalar()
            if data is None:
                return  # deleted while read: the reader gets a short file, as with a file removed mid-read
            yield bytes(data)

    async def delete_chat(self, chat_id: str) -> int:
        try:
            async with self._store.begin() as conn:
                ids = select(t.attachments.c.id).where(t.attachments.c.chat_id == chat_id).scalar_subquery()
                await conn.execute(delete(t.attachment_chunks).where(t.attachment_chunks.c.attachment_id.in_(ids)))
                result = await conn.execute(delete(t.attachments).where(t.attachments.c.chat_id == chat_id))
                return int(result.rowcount or 0)
        except StoreUnavailable as exc:
            raise AttachmentsUnavailable(str(exc)) from exc

    async def _write(self, attachment: Attachment, chunks: Chunks) -> Attachment:
        try:
            return await self._write_rows(attachment, chunks)
        except StoreUnavailable as exc:
            raise AttachmentsUnavailable(str(exc)) from exc

    async def _write_rows(self, attachment: Attachment, chunks: Chunks) -> Attachment:
        size = 0
        async with self._store.begin() as conn:
            await conn.execute(insert(t.attachments).values(
                id=attachment.id, chat_id=attachment.id.partition(".")[0], filename=attachment.filename,
                content_type=attachment.content_type, size=0, created_at=time.time()))
            seq = 0
            async for chunk in chunks:
                if not chunk:
                    continue
                await conn.execute(insert(t.attachment_chunks).values(attachment_id=attachment.id, seq=seq,
                                                                      data=chunk))
                seq += 1
                size += len(chunk)
            await conn.execute(update(t.attachments).where(t.attachments.c.id == attachment.id).values(size=size))
        return attachment.model_copy(update={"size": size})
