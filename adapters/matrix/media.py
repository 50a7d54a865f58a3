"""Files both ways through the homeserver's media repository, within the configured upload limits.

Customer files are uploaded once (the mxc URI is remembered per attachment, so a retried post reuses
it); CSR files are fetched over authenticated media (`/_matrix/client/v1/media/download`) and the
download stops as soon as it passes the size limit, whatever the event claimed.
"""

import io
import mimetypes
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlparse

import httpx
from nio import AsyncClient
from redis.asyncio import Redis

from adapters.matrix.client import ok
from bridge.attachments import AttachmentStore
from bridge.config.widget import UploadLimits
from bridge.domain.events import Attachment
from bridge.keys import Keys

MEDIA_TTL = 30 * 24 * 3600


class MediaRefused(Exception):
    """The file breaks a configured limit (size or type); the message says which, for the CSR."""


@dataclass(frozen=True)
class Incoming:
    mxc: str
    filename: str
    content_type: str
    declared_size: int


class Media:
    def __init__(self, client: AsyncClient, redis: Redis, keys: Keys, store: AttachmentStore,
                 limits: UploadLimits) -> None:
        self._client = client
        self._redis = redis
        self._keys = keys
        self._store = store
        self._limits = limits
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0))

    async def close(self) -> None:
        await self._http.aclose()

    async def upload(self, attachment: Attachment) -> str | None:
        """The attachment's mxc URI, uploading it on first need; None when its bytes are gone."""
        key = self._keys.matrix_media(attachment.id)
        if cached := await self._redis.get(key):
            return str(cached)
        stored = await self._store.read(attachment.id)
        if stored is None:
            return None
        meta, data = stored
        resp, _ = await self._client.upload(io.BytesIO(data), content_type=meta.content_type,
                                            filename=meta.filename, filesize=len(data))
        mxc = str(ok(resp, f"upload {meta.filename}").content_uri)
        await self._redis.set(key, mxc, ex=MEDIA_TTL)
        return mxc

    async def upload_bytes(self, filename: str, content_type: str, data: bytes) -> str:
        """For files the bridge makes itself (transcripts, reports)."""
        resp, _ = await self._client.upload(io.BytesIO(data), content_type=content_type, filename=filename,
                                            filesize=len(data))
        return str(ok(resp, f"upload {filename}").content_uri)

    def check(self, incoming: Incoming) -> None:
        base_type = incoming.content_type.split(";")[0].strip().lower()
        if base_type not in self._limits.allowed_types:
            raise MediaRefused(f"files of type {base_type or 'unknown'} are not allowed "
                               f"(allowed: {', '.join(self._limits.allowed_types)})")
        if incoming.declared_size > self._limits.max_bytes:
            raise MediaRefused(f"the file is larger than the limit of {_mb(self._limits.max_bytes)}")

    async def fetch(self, chat_id: str, incoming: Incoming) -> Attachment:
        """Downloads a CSR's file within the limits and stores it for the customer."""
        self.check(incoming)
        data = await self._download(incoming.mxc)
        base_type = incoming.content_type.split(";")[0].strip().lower()
        return await self._store.save(chat_id, incoming.filename, base_type, data)

    async def _download(self, mxc: str) -> bytes:
        try:
            url = urlparse(mxc)
        except ValueError:  # e.g. an unclosed IPv6 bracket
            raise MediaRefused("the file has no valid mxc:// address") from None
        if url.scheme != "mxc" or not url.netloc or not url.path.strip("/"):
            raise MediaRefused("the file has no valid mxc:// address")
        path = f"/_matrix/client/v1/media/download/{quote(url.netloc)}/{quote(url.path.strip('/'))}"
        headers = {"Authorization": f"Bearer {self._client.access_token}"}
        chunks: list[bytes] = []
        size = 0
        async with self._http.stream("GET", self._client.homeserver + path, headers=headers) as resp:
            resp.raise_for_status()
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if size > self._limits.max_bytes:
                    raise MediaRefused(f"the file is larger than the limit of {_mb(self._limits.max_bytes)}")
                chunks.append(chunk)
        return b"".join(chunks)


def incoming_of(content: dict[str, Any]) -> Incoming | None:
    """The file of an m.image / m.file / m.video / m.audio event, if it has one."""
    mxc = content.get("url")
    if not isinstance(mxc, str):
        return None
    info = declared if isinstance(declared := content.get("info"), dict) else {}
    filename = str(content.get("filename") or content.get("body") or "file")
    size = declared_size if isinstance(declared_size := info.get("size"), int) else 0
    content_type = str(info.get("mimetype") or mimetypes.guess_type(filename)[0] or "")
    return Incoming(mxc=mxc, filename=filename, content_type=content_type, declared_size=size)


def caption_of(content: dict[str, Any]) -> str:
    """Since Matrix 1.10 a `body` that differs from `filename` is a caption."""
    filename, body = content.get("filename"), content.get("body")
    return str(body) if filename and body and body != filename else ""


def _mb(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB"
