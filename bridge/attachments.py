"""Attachment bytes on disk under the data directory; Redis keeps only their metadata in events.

Several `serve` hosts need the data directory on shared storage (documented in the README).
"""

import asyncio
import json
from pathlib import Path

from bridge.domain.events import Attachment
from bridge.domain.ids import new_id


class AttachmentStore:
    def __init__(self, root: Path) -> None:
        self._root = root

    async def save(self, chat_id: str, filename: str, content_type: str, data: bytes) -> Attachment:
        attachment = Attachment(id=f"{chat_id}.{new_id(12)}", filename=_safe_name(filename),
                                content_type=content_type, size=len(data))
        await asyncio.to_thread(self._write, attachment, data)
        return attachment

    async def read(self, attachment_id: str) -> tuple[Attachment, bytes] | None:
        return await asyncio.to_thread(self._read, attachment_id)

    def _path(self, attachment_id: str) -> Path:
        chat_id, _, _ = attachment_id.partition(".")
        if not attachment_id.replace(".", "").isalnum():
            raise ValueError("bad attachment id")
        return self._root / chat_id / attachment_id

    def _write(self, attachment: Attachment, data: bytes) -> None:
        path = self._path(attachment.id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        _meta_path(path).write_text(attachment.model_dump_json())

    def _read(self, attachment_id: str) -> tuple[Attachment, bytes] | None:
        try:
            path = self._path(attachment_id)
            meta = Attachment.model_validate(json.loads(_meta_path(path).read_text()))
            return meta, path.read_bytes()
        except (ValueError, OSError):
            return None


def _meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _safe_name(name: str) -> str:
    """Keeps the name readable but free of paths and control characters."""
    base = Path(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*').strip(". ")
    return cleaned[:255] or "file"
