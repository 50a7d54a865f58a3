"""The customer's transcript download: their own chat, without internal notes or routing details."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapters.widget.context import WidgetContext
from adapters.widget.errors import ApiError
from transcripts.render import FORMATS, render_transcript, transcript_filename


class TranscriptEndpoint:
    def __init__(self, ctx: WidgetContext) -> None:
        self._ctx = ctx

    def routes(self) -> list[Route]:
        return [Route("/chats/{chat_id}/transcript", self.transcript, methods=["GET"])]

    async def transcript(self, request: Request) -> Response:
        chat = await self._ctx.session_chat(request)
        fmt = request.query_params.get("format", "txt")
        if fmt not in FORMATS:
            raise ApiError(422, "invalid_format", f"format must be one of: {', '.join(FORMATS)}.")
        events = [e for e in await self._ctx.app.stream.read_all(chat.id) if e.customer_visible]
        body, content_type = render_transcript(chat, events, fmt, audience="customer")
        headers = {
            "Content-Disposition": f'attachment; filename="{transcript_filename(chat, fmt)}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
            "Cache-Control": "no-store",
        }
        return Response(body, headers={**headers, "Content-Type": content_type})
