"""The CSR's viewer: a one-time link becomes a cookie, the page replays the customer's tab, its socket streams it.

`/cobrowse/open/<token>` uses the link up (cobrowse.viewers explains the binding) and redirects to
`/cobrowse/view/<session>`, so the token leaves the address bar and the history. The page's socket
`/cobrowse/view/<session>/ws?after=ID` carries the session's stream from Redis, whichever `serve` process
the customer's tab sends to. A viewer that comes back after a drop names the last entry it has, and goes on
from there; one whose place is gone (or a new viewer) gets a fresh snapshot of the page.
"""

import asyncio
import contextlib
import html
import logging
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from adapters.widget.errors import ApiError
from adapters.widget.socket_slots import Limit, SocketSlots
from bridge.origins import origin_from_header, origin_of
from cobrowse.service import Cobrowse
from cobrowse.viewers import LIVE, REPLAY, VIEWER_SECONDS, Viewer

log = logging.getLogger(__name__)
COOKIE = "csr_cobrowse"
READ_BLOCK_MS = 5000
VIEWER_SOCKETS = 6
"""Live viewer sockets at once per session (the CSR, a supervisor or two, a reconnect overlapping)."""
SNAPSHOT_EVERY_SECONDS = 2.0
"""A viewer may ask the customer's tab for a fresh snapshot this often at most."""
_ENTRY_ID = re.compile(r"^\d{1,20}-\d{1,20}$")
_SID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline' http: https:; "
        "img-src http: https: data: blob:; font-src http: https: data:; media-src http: https:; "
        "connect-src 'self' ws: wss:; frame-src 'self' about: blob:; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'")
PAGE_HEADERS = {"Content-Security-Policy": _CSP, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
                "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"}

REFUSED_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Co-browse</title>
<link rel="stylesheet" href="/cobrowse/viewer.css"></head><body class="refused"><main><h1>{title}</h1><p>{text}</p>
</main></body></html>"""

VIEWER_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Co-browse: {customer}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/cobrowse/rrweb.css"><link rel="stylesheet" href="/cobrowse/viewer.css"></head>
<body data-session="{sid}" data-mode="{mode}"><header><strong>{what} {customer}</strong>
<span id="status" role="status">Connecting…</span></header><main id="stage"></main>
<script src="/cobrowse/rrweb.js"></script><script src="/cobrowse/viewer.js"></script></body></html>"""


class ViewerPages:
    def __init__(self, cobrowse: Cobrowse, public_url: str, slots: SocketSlots) -> None:
        self._cobrowse = cobrowse
        self._slots = slots
        self._origin = origin_of(public_url)
        self._secure = public_url.startswith("https://")

    def routes(self) -> list[Any]:
        return [
            Route("/cobrowse/open/{token}", self.open, methods=["GET"]),
            Route("/cobrowse/view/{sid}", self.page, methods=["GET"]),
            WebSocketRoute("/cobrowse/view/{sid}/ws", self.socket),
            Route("/cobrowse/replay/{sid}", self.replay_page, methods=["GET"]),
            WebSocketRoute("/cobrowse/replay/{sid}/ws", self.replay_socket),
        ]

    async def open(self, request: Request) -> Response:
        opened = await self._cobrowse.links.open(request.path_params["token"])
        if opened is None:
            log.info("co-browse viewer link refused (unknown, used or expired)")
            return _refused(403, "This link can't be opened",
                            "A viewer link works once, in one browser, for a few minutes. Ask for a new one in "
                            "the chat's thread with csr cobrowse link.")
        viewer, cookie = opened
        if viewer.mode == REPLAY:
            if not await self._cobrowse.relay.recording_info(viewer.sid):
                return _refused(410, "Recording gone", "This recording is past its retention.")
            log.info("co-browse recording %s replayed by %s", viewer.sid, viewer.agent_id)
        elif not await self._live(viewer.sid):
            return _refused(410, "Co-browse has ended", "The customer's tab is no longer shared.")
        else:
            await self._cobrowse.watching(viewer.sid, viewer.agent_id)
        where = "replay" if viewer.mode == REPLAY else "view"
        response = RedirectResponse(f"/cobrowse/{where}/{viewer.sid}", status_code=303,
                                    headers={"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"})
        response.set_cookie(COOKIE, cookie, max_age=VIEWER_SECONDS, path="/cobrowse/", httponly=True,
                            samesite="strict", secure=self._secure)
        return response

    async def _viewer(self, conn: Request | WebSocket, mode: str = LIVE) -> Viewer | None:
        viewer = await self._cobrowse.links.viewer(conn.cookies.get(COOKIE, ""))
        if viewer is None or viewer.sid != conn.path_params["sid"] or viewer.mode != mode:
            return None
        return viewer

    async def _live(self, sid: str) -> bool:
        chat_id = await self._cobrowse.sessions.chat_of(sid)
        session = await self._cobrowse.sessions.current(chat_id) if chat_id else None
        return session is not None and session.sid == sid and session.live

    async def page(self, request: Request) -> Response:
        viewer = await self._viewer(request)
        if viewer is None:
            return _not_yours()
        chat_id = await self._cobrowse.sessions.chat_of(viewer.sid) or ""
        chat = await self._cobrowse.chat(chat_id)
        return _page(viewer, "Co-browse with", chat.customer.name if chat else "the customer")

    async def replay_page(self, request: Request) -> Response:
        viewer = await self._viewer(request, REPLAY)
        info = await self._cobrowse.relay.recording_info(viewer.sid) if viewer else {}
        if viewer is None or not info:
            return _not_yours()
        return _page(viewer, "Recording of co-browse with", info.get("customer") or "the customer")

    async def _socket_viewer(self, ws: WebSocket, mode: str) -> Viewer | None:
        """The viewer a socket stands for; a stranger gets an error frame and a close."""
        origin = ws.headers.get("origin")
        viewer = None
        if origin is not None and origin_from_header(origin) == self._origin and _SID.match(ws.path_params["sid"]):
            viewer = await self._viewer(ws, mode)
        await ws.accept()
        if viewer is None:
            await ws.send_json({"type": "error", "error": "not_your_view",
                                "message": "This view belongs to another browser or has ended."})
            await ws.close(4403)
        return viewer

    async def socket(self, ws: WebSocket) -> None:
        viewer = await self._socket_viewer(ws, LIVE)
        if viewer is None:
            return
        try:  # each socket holds a Redis connection in a blocking read: a bound browser still can't open many
            slot = await self._slots.take(Limit("cobrowse-view", viewer.sid, VIEWER_SOCKETS, "viewing this session"))
        except ApiError as exc:
            await ws.send_json({"type": "error", **exc.body()})
            await ws.close(4429)
            return
        try:
            with contextlib.suppress(WebSocketDisconnect):
                await self._stream(ws, viewer, ws.query_params.get("after", ""))
        finally:
            await self._slots.give_back(slot)

    async def replay_socket(self, ws: WebSocket) -> None:
        """Sends the whole recording, in order, then says it is over."""
        viewer = await self._socket_viewer(ws, REPLAY)
        if viewer is None:
            return
        with contextlib.suppress(WebSocketDisconnect):
            after = "-"
            while entries := await self._cobrowse.relay.recording(viewer.sid, after, 50):
                for entry in entries:
                    await ws.send_text(f'{{"type":"events","id":"{entry.id}","batch":{entry.data}}}')
                after = entries[-1].id
            await ws.send_json({"type": "end", "reason": "recording_end"})
            await ws.close(1000)

    async def _stream(self, ws: WebSocket, viewer: Viewer, after: str) -> None:
        relay = self._cobrowse.relay
        first = await relay.first_id(viewer.sid)
        if not (_ENTRY_ID.match(after) and first is not None and _id(first) <= _id(after)):
            after = await relay.ask_snapshot(viewer.sid)
            await ws.send_json({"type": "reset"})
        listen = asyncio.create_task(self._listen(ws, viewer))
        try:
            while not listen.done():
                if await self._viewer(ws) is None:  # cut off: the session ended, or a newer link of theirs
                    await ws.send_json({"type": "end", "reason": "not_your_view"})
                    await ws.close(4403)
                    return
                for entry in await relay.read(viewer.sid, after, READ_BLOCK_MS):
                    after = entry.id
                    if entry.end:
                        await ws.send_json({"type": "end", "reason": entry.end})
                        await ws.close(1000)
                        return
                    await ws.send_text(f'{{"type":"events","id":"{entry.id}","batch":{entry.data}}}')
        finally:
            listen.cancel()
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                await listen
            if ws.application_state == WebSocketState.CONNECTED:
                with contextlib.suppress(RuntimeError, OSError):
                    await ws.close(1000)

    async def _listen(self, ws: WebSocket, viewer: Viewer) -> None:
        """The viewer's only request: a fresh snapshot (it lost its place); at most one per 2 s."""
        last = 0.0
        loop = asyncio.get_running_loop()
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("text") == '{"type":"snapshot"}' and loop.time() - last >= SNAPSHOT_EVERY_SECONDS:
                last = loop.time()
                await self._cobrowse.relay.ask_snapshot(viewer.sid)


def _page(viewer: Viewer, what: str, customer: str) -> HTMLResponse:
    return HTMLResponse(VIEWER_PAGE.format(what=what, customer=html.escape(customer), sid=html.escape(viewer.sid),
                                           mode=viewer.mode), headers=PAGE_HEADERS)


def _not_yours() -> HTMLResponse:
    return _refused(403, "Not your view", "This view belongs to another browser or has ended. Ask for your own "
                    "link in the chat's thread with csr cobrowse link (a recording: csr recording SESSION).")


def _id(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def _refused(status: int, title: str, text: str) -> HTMLResponse:
    return HTMLResponse(REFUSED_PAGE.format(title=html.escape(title), text=html.escape(text)), status_code=status,
                        headers=PAGE_HEADERS)
