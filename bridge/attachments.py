"""Attachment bytes, kept apart from the events (Redis keeps only their metadata): on this host's disk under the
data directory, or in the SQL store (`[store] attachments = "database"`, `transcripts.attachments`), which every
host reaches without a shared filesystem.

Both stream: a file goes in and comes out `CHUNK_BYTES` at a time, so a download or an upload never holds a whole
file in memory. `save` and `read` (whole bytes) remain for the platform adapters, whose SDKs take bytes.
"""

import asyncio
import json
import shutil
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO

from bridge.domain.events import Attachment
from bridge.domain.ids import new_id

CHUNK_BYTES = 256 * 1024

Chunks = AsyncIterator[bytes]


class AttachmentTooLarge(ValueError):
    """The bytes streamed in ran past the size the caller allowed; nothing was kept."""


class AttachmentsUnavailable(Exception):
    """Where the bytes live could not be reached (the database is away); nothing was changed, try again."""


class AttachmentStore(ABC):
    async def save_stream(self, chat_id: str, filename: str, content_type: str, chunks: Chunks,
                          max_bytes: int) -> Attachment:
        """Stores the chunks as one new attachment of the chat; past `max_bytes` nothing is kept."""
        attachment = Attachment(id=new_attachment_id(chat_id), filename=safe_name(filename),
                                content_type=content_type, size=0)
        return await self._write(attachment, _capped(chunks, max_bytes))

    async def save(self, chat_id: str, filename: str, content_type: str, data: bytes) -> Attachment:
        return await self.save_stream(chat_id, filename, content_type, _pieces(data), len(data))

    @abstractmethod
    async def open(self, attachment_id: str) -> tuple[Attachment, Chunks] | None:
        """The attachment's metadata and its bytes as chunks, or None when there is no such attachment."""

    async def read(self, attachment_id: str) -> tuple[Attachment, bytes] | None:
        found = await self.open(attachment_id)
        if found is None:
            return None
        meta, chunks = found
        return meta, b"".join([chunk async for chunk in chunks])

    @abstractmethod
    async def delete_chat(self, chat_id: str) -> int:
        """Deletes every attachment of the chat (its customer's data was erased); returns how many there were."""

    @abstractmethod
    async def _write(self, attachment: Attachment, chunks: Chunks) -> Attachment:
        """Writes all chunks or nothing; returns the attachment with its size."""


class DiskAttachments(AttachmentStore):
    """Files under `root/<chat id>/`, each with its metadata beside it in JSON."""

    def __init__(self, root: Path) -> None:
        self._root = root

    async def open(self, attachment_id: str) -> tuple[Attachment, Chunks] | None:
        try:
            path = self._path(attachment_id)
            meta = Attachment.model_validate(json.loads(await asyncio.to_thread(_meta_path(path).read_text)))
            handle = await asyncio.to_thread(path.open, "rb")
        except (ValueError, OSError):
            return None
        return meta, _file_chunks(handle)

    async def _write(self, attachment: Attachment, chunks: Chunks) -> Attachment:
        path = self._path(attachment.id)
        partial = path.with_name(path.name + ".part")
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        handle = await asyncio.to_thread(partial.open, "wb")
        size = 0
        try:
            async for chunk in chunks:
                size += len(chunk)
                await asyncio.to_thread(handle.write, chunk)
            await asyncio.to_thread(handle.close)
            done = attachment.model_copy(update={"size": size})
            await asyncio.to_thread(_meta_path(path).write_text, done.model_dump_json())
            await asyncio.to_thread(partial.rename, path)
            return done
        finally:
            handle.close()
            await asyncio.to_thread(partial.unlink, missing_ok=True)

    async def delete_chat(self, chat_id: str) -> int:
        if not valid_attachment_id(chat_id) or "." in chat_id:
            raise ValueError("bad chat id")
        folder = self._root / chat_id
        if not await asyncio.to_thread(folder.is_dir):
            return 0
        files = await asyncio.to_thread(lambda: [p for p in folder.iterdir()
                                                 if not p.name.endswith((".json", ".part"))])
        await asyncio.to_thread(shutil.rmtree, folder)
        return len(files)

    def _path(self, attachment_id: str) -> Path:
        chat_id, _, _ = attachment_id.partition(".")
        if not valid_attachment_id(attachment_id):
            raise ValueError("bad attachment id")
        return self._root / chat_id / attachment_id


def new_attachment_id(chat_id: str) -> str:
    """The chat's id leads, so a download checks the chat by the id alone."""
    return f"{chat_id}.{new_id(12)}"


def valid_attachment_id(attachment_id: str) -> bool:
    return 0 < len(attachment_id) <= 80 and attachment_id.replace(".", "").isascii() \
        and attachment_id.replace(".", "").isalnum()


def safe_name(name: str) -> str:
    """Keeps the name readable but free of paths and control characters."""
    base = Path(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*').strip(". ")
    return cleaned[:255] or "file"


async def _capped(chunks: Chunks, max_bytes: int) -> Chunks:
    total = 0
    async for chunk in chunks:
        total += len(chunk)
        if total > max_bytes:
            raise AttachmentTooLarge(f"more than {max_bytes} bytes")
        yield chunk


async def _pieces(data: bytes) -> Chunks:
    for start in range(0, len(data), CHUNK_BYTES):
        yield data[start:start + CHUNK_BYTES]


async def _file_chunks(handle: BinaryIO) -> Chunks:
    try:
        while chunk := await asyncio.to_thread(handle.read, CHUNK_BYTES):
            yield chunk
    finally:
        handle.close()


def _meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")
