"""The customer's transcript download: their own chat, without internal notes or routing details."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapters.widget.context import WidgetContext
from adapters.widget.errors import ApiError
from transcripts.render import FORMATS, render_transcript, transcript_filename
from transcripts.store import StoreUnavailable


class TranscriptEndpoint:
    def __init__(self, ctx: WidgetContext) -> None:
        self._ctx = ctx

    def routes(self) -> list[Route]:
        return [Route("/chats/{chat_id}/transcript", self.transcript, methods=["GET"])]

    async def transcript(self, request: Request) -> Response:
        """Works while the chat is live and, from the SQL archive, after its live state has expired."""
        chat_id = self._ctx.session_chat_id(request)
        fmt = request.query_params.get("format", "txt")
        if fmt not in FORMATS:
            raise ApiError(422, "invalid_format", f"format must be one of: {', '.join(FORMATS)}.")
        try:
            record = await self._ctx.transcripts.record(chat_id)
        except StoreUnavailable:
            raise ApiError(503, "transcript_unavailable", "The transcript can't be read right now; try again soon.",
                           headers={"Retry-After": "30"}) from None
        if record is None:
            raise ApiError(404, "chat_not_found", "This chat no longer exists.")
        chat, events = record
        body, content_type = render_transcript(chat, [e for e in events if e.customer_visible], fmt,
                                               audience="customer")
        headers = {
            "Content-Disposition": f'attachment; filename="{transcript_filename(chat, fmt)}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
            "Cache-Control": "no-store",
        }
        return Response(body, headers={**headers, "Content-Type": content_type})
