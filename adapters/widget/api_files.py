"""Attachments: multipart upload into the chat (limits checked first) and downloads guarded by the token.

Both stream: the upload goes from the parser's spooled file into the store chunk by chunk, and a download goes
out as the store reads it, so neither holds a whole file in memory.
"""

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from adapters.widget import conversation
from adapters.widget.bodies import declared_length, media_type
from adapters.widget.context import WidgetContext
from adapters.widget.errors import ApiError
from adapters.widget.files import content_matches, disposition
from adapters.widget.schemas import OPTIONAL_CLIENT_ID, EventStored
from adapters.widget.views import event_out, stored_client_id
from bridge.attachments import CHUNK_BYTES, Chunks
from bridge.config.widget import UploadLimits
from bridge.domain.chat import ChatState

FORM_OVERHEAD = 64 * 1024
"""Room for the multipart framing and the small text fields beside the file."""
FORM_FIELDS = ("file", "text", "client_msg_id")


class FileEndpoints:
    def __init__(self, ctx: WidgetContext) -> None:
        self._ctx = ctx

    def routes(self) -> list[Route]:
        return [
            Route("/chats/{chat_id}/attachments", self.upload, methods=["POST"]),
            Route("/chats/{chat_id}/attachments/{attachment_id}", self.download, methods=["GET"]),
        ]

    async def upload(self, request: Request) -> JSONResponse:
        ctx = self._ctx
        chat = await ctx.session_chat(request)
        async with read_upload(request, ctx.config.uploads) as upload:
            if chat.state == ChatState.CLOSED:
                raise ApiError(409, "chat_closed", "This chat has ended.")
            conversation.check_text(upload.text, ctx.config.max_message_chars, allow_empty=True)
            if upload.client_msg_id and (seen := await ctx.core.events.find_by_client_id(
                    chat.id, stored_client_id(upload.client_msg_id))):
                if stored := await ctx.core.events.get(chat.id, seen):
                    return JSONResponse(EventStored(event=event_out(stored, ctx.config.texts)).model_dump())
            await ctx.count_action(chat.id)
            attachment = await ctx.core.attachments.save_stream(chat.id, upload.filename, upload.content_type,
                                                                upload.chunks(), ctx.config.uploads.max_bytes)
        event = await conversation.say(ctx, chat, upload.text, upload.client_msg_id, [attachment])
        return JSONResponse(EventStored(event=event_out(event, ctx.config.texts)).model_dump(), status_code=201)

    async def download(self, request: Request) -> Response:
        chat = await self._ctx.session_chat(request)
        attachment_id = request.path_params["attachment_id"]
        mine = attachment_id.startswith(f"{chat.id}.")
        found = await self._ctx.core.attachments.open(attachment_id) if mine else None
        if found is None:
            raise ApiError(404, "attachment_not_found", "No such file in this chat.")
        meta, chunks = found
        headers = {
            "Content-Disposition": disposition(meta.filename, meta.content_type),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cross-Origin-Resource-Policy": "cross-origin",
            "Cache-Control": "private, max-age=3600",
            "Content-Length": str(meta.size),
        }
        return StreamingResponse(chunks, media_type=meta.content_type, headers=headers)


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    file: UploadFile
    """The parser's spooled copy (memory up to 1 MiB, then a temporary file), read in chunks."""
    size: int
    text: str
    client_msg_id: str

    async def chunks(self) -> Chunks:
        await self.file.seek(0)
        while chunk := await self.file.read(CHUNK_BYTES):
            yield chunk


@asynccontextmanager
async def read_upload(request: Request, limits: UploadLimits) -> AsyncIterator[Upload]:
    """The multipart body, refused early when too big, of a type not allowed, or not what it claims; its file
    stays readable until the block ends."""
    if media_type(request) != "multipart/form-data":
        raise ApiError(415, "unsupported_media_type", "Upload files as multipart/form-data with a 'file' field.")
    if declared_length(request, limits.max_bytes + FORM_OVERHEAD) is None:
        raise ApiError(411, "length_required", "Send the upload with a Content-Length header.")
    try:
        form = await request.form(max_files=1, max_fields=4, max_part_size=FORM_OVERHEAD)
    except HTTPException as exc:
        raise ApiError(400, "malformed_multipart", f"The upload could not be read: {exc.detail}") from None
    except ClientDisconnect:
        raise ApiError(400, "upload_incomplete", "The upload ended before all of it arrived.") from None
    try:
        file, text, client_msg_id = form.get("file"), form.get("text", ""), form.get("client_msg_id", "")
        if not isinstance(file, UploadFile):
            raise ApiError(422, "missing_file", "Put the file in a form field named 'file'.")
        unknown = sorted({name for name, _ in form.multi_items() if name not in FORM_FIELDS})
        doubled = sorted({name for name in FORM_FIELDS if len(form.getlist(name)) > 1})
        if unknown or doubled:
            problems = [{"field": n, "message": "Not a field of an upload" if n in unknown else "Sent twice"}
                        for n in unknown + doubled]
            raise ApiError(422, "invalid_body", f"Send each of {', '.join(FORM_FIELDS)} at most once, nothing else.",
                           fields=problems)
        if not isinstance(text, str) or not isinstance(client_msg_id, str) \
                or not re.fullmatch(OPTIONAL_CLIENT_ID, client_msg_id):
            raise ApiError(422, "invalid_body", "'text' must be text and 'client_msg_id' 1-64 letters, digits, - or _.")
        content_type = (file.content_type or "").split(";")[0].strip().lower()
        if content_type not in limits.allowed_types:
            raise ApiError(415, "type_not_allowed", f"Files of type {content_type or 'unknown'} are not accepted; "
                                                    f"allowed: {', '.join(limits.allowed_types)}.")
        size = await _checked_size(file, content_type, limits)
        yield Upload(file.filename or "file", content_type, file, size, text, client_msg_id)
    finally:
        await form.close()


async def _checked_size(file: UploadFile, content_type: str, limits: UploadLimits) -> int:
    """One pass over the file, a chunk at a time: its size within the limit, and its content what it claims."""
    await file.seek(0)
    head = chunk = await file.read(CHUNK_BYTES)
    size, matches = len(head), content_matches(content_type, head)
    while chunk and size <= limits.max_bytes:
        chunk = await file.read(CHUNK_BYTES)
        size += len(chunk)
        if chunk and content_type.startswith("text/"):
            matches = matches and content_matches(content_type, chunk)
    if size > limits.max_bytes:
        raise ApiError(413, "file_too_large", f"Files are limited to {limits.max_bytes} bytes.")
    if not size:
        raise ApiError(422, "empty_file", "The file is empty.")
    if not matches:
        raise ApiError(415, "content_mismatch", f"The file's content is not {content_type}.")
    return size
