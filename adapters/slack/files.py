"""Files both ways: a customer's uploads into the thread, a CSR's Slack files to the customer.

Outbound uses files_upload_v2 (files.getUploadURLExternal, the upload, files.completeUploadExternal);
inbound fetches `url_private_download` with the bot token, only from Slack's file host (or the configured API host)
and only within the widget's size and type limits, so the token never leaves for another host.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from adapters.slack.mrkdwn import escape
from adapters.slack.webapi import SlackCalls
from bridge.attachments import AttachmentStore
from bridge.config.widget import UploadLimits
from bridge.domain.events import Attachment
from bridge.platform_posts import PlatformPost, PostKind
from bridge.ports import ThreadRef

SLACK_FILE_HOSTS = {"files.slack.com"}


class FileRefused(Exception):
    """A CSR's file the customer can't get (too big, a refused type); the message says why."""


@dataclass
class SlackFiles:
    calls: SlackCalls
    store: AttachmentStore
    limits: UploadLimits
    bot_token: str
    api_origin: str
    """scheme://host[:port] of slack.api_url; files there may be fetched too (a test server)."""

    async def to_thread(self, thread: ThreadRef, attachment: Attachment, sender: str) -> list[PlatformPost]:
        """Uploads the file into the thread; returns what it posted there (the file, or a note that it is gone)."""
        found = await self.store.read(attachment.id)
        if found is None:
            posted = await self.calls.post(channel=thread.conversation, thread_ts=thread.thread_id,
                                           text=f":warning: {escape(sender)} sent {escape(attachment.filename)}, "
                                                "but the file is no longer stored.")
            return [PlatformPost("slack", thread.conversation, str(posted["ts"]), PostKind.POST)]
        meta, data = found
        uploaded = await self.calls.upload(channel=thread.conversation, thread_ts=thread.thread_id, file=data,
                                           filename=meta.filename, title=meta.filename,
                                           initial_comment=f":paperclip: {escape(sender)} sent a file")
        return [PlatformPost("slack", thread.conversation, str(f["id"]), PostKind.FILE)
                for f in uploaded.get("files") or [] if isinstance(f, dict) and f.get("id")]

    async def from_slack(self, chat_id: str, file: dict[str, Any]) -> Attachment:
        """Downloads one file of a CSR's message and stores it for the customer."""
        name = str(file.get("name") or file.get("title") or "file")
        mimetype = str(file.get("mimetype") or "application/octet-stream").split(";")[0].strip()
        size = int(file.get("size") or 0)
        if mimetype not in self.limits.allowed_types:
            raise FileRefused(f"{name} was not sent: the customer can't receive {mimetype} files")
        if size > self.limits.max_bytes:
            raise FileRefused(f"{name} was not sent: it is over the {self.limits.max_bytes // 1024} KB limit")
        url = str(file.get("url_private_download") or file.get("url_private") or "")
        parts = urlsplit(url)
        on_slack = parts.scheme == "https" and parts.hostname in SLACK_FILE_HOSTS
        if not on_slack and f"{parts.scheme}://{parts.netloc}" != self.api_origin:
            raise FileRefused(f"{name} was not sent: it is not stored on Slack")
        data = await self._download(url)
        return await self.store.save(chat_id, name, mimetype, data)

    async def _download(self, url: str) -> bytes:
        headers = {"Authorization": f"Bearer {self.bot_token}"}
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(timeout=timeout) as session, \
                session.get(url, headers=headers, allow_redirects=False) as response:
            if response.status != 200:
                raise FileRefused(f"Slack answered {response.status} when the file was fetched")
            if response.content_type == "text/html":
                raise FileRefused("Slack sent a sign-in page instead of the file: the app needs the files:read scope")
            data = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                data += chunk
                if len(data) > self.limits.max_bytes:
                    raise FileRefused(f"the file is over the {self.limits.max_bytes // 1024} KB limit")
            return bytes(data)
