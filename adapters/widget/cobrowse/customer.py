"""The customer's side of co-browse: the request's state, their answer, and the socket their recorder sends on.

`GET /chats/{id}/cobrowse` says whether a CSR asks or watches, in the customer's wording; `POST` answers
(`allow`, `decline`) or ends (`stop`); `/chats/{id}/cobrowse/ws` takes the recorder's batches, authenticated
like the chat's socket (the session token as a subprotocol), and tells the tab when a viewer needs a fresh
snapshot or the session ends. The recorder script (rrweb) is loaded by the widget only after "Allow".
"""

import asyncio
import contextlib
import logging
from typing import Any, Literal

from pydantic import Field
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from adapters.widget.bodies import read_json
from adapters.widget.context import WidgetContext
from adapters.widget.errors import ApiError, unexpected
from adapters.widget.schemas import Body
from adapters.widget.socket import SUBPROTOCOL
from adapters.widget.socket_slots import Limit
from bridge.domain.chat import ChatState
from cobrowse.relay import Refused
from cobrowse.service import Cobrowse, CobrowseRefused
from cobrowse.sessions import Session, State

log = logging.getLogger(__name__)
SOCKETS_PER_CHAT = 2
"""One tab records; a second covers the moment a page change opens the next socket before the old one closes."""
CONTROL_BLOCK_MS = 5000


class CobrowseAnswer(Body):
    sid: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")
    answer: Literal["allow", "decline", "stop"]


class CustomerCobrowse:
    def __init__(self, ctx: WidgetContext, cobrowse: Cobrowse, recorder_url: str) -> None:
        self._ctx = ctx
        self._cobrowse = cobrowse
        self._recorder_url = recorder_url

    def routes(self) -> list[Any]:
        return [
            Route("/chats/{chat_id}/cobrowse", self.endpoint, methods=["GET", "POST"]),
            WebSocketRoute("/chats/{chat_id}/cobrowse/ws", self.socket),
        ]

    def _out(self, session: Session | None) -> dict[str, Any]:
        cfg = self._cobrowse.config
        if session is None or not cfg.enabled:
            return {"state": "none"}
        name = self._cobrowse.agent_name(session.agent_id)
        texts = {k: v.replace("{agent}", name) for k, v in cfg.texts.model_dump().items()}
        return {"state": session.state.value, "sid": session.sid, "agent_name": name, "texts": texts,
                "privacy": {"block_selector": cfg.block_selector, "mask_all_inputs": cfg.mask_all_inputs},
                "recorder_url": self._recorder_url}

    async def endpoint(self, request: Request) -> JSONResponse:
        """One route for both methods, so a wrong method's 405 names them both in Allow."""
        return await (self.answer(request) if request.method == "POST" else self.state(request))

    async def state(self, request: Request) -> JSONResponse:
        chat = await self._ctx.session_chat(request)
        return JSONResponse(self._out(await self._cobrowse.sessions.current(chat.id)),
                            headers={"Cache-Control": "no-store"})

    async def answer(self, request: Request) -> JSONResponse:
        chat = await self._ctx.session_chat(request)
        body = await read_json(request, CobrowseAnswer, 1024)
        await self._ctx.count_action(chat.id)
        try:
            if body.answer == "stop":
                current = await self._cobrowse.sessions.current(chat.id)
                if current is None or current.sid != body.sid or not current.live:
                    raise CobrowseRefused("This co-browse session is not running.")
                await self._cobrowse.stop(chat.id, "customer")
                session = await self._cobrowse.sessions.current(chat.id)
            else:
                if chat.state == ChatState.CLOSED:
                    raise CobrowseRefused("This chat has ended.")
                session = await self._cobrowse.answer(chat.id, body.sid, body.answer == "allow")
        except CobrowseRefused as exc:
            raise ApiError(409, "cobrowse_not_running", str(exc)) from None
        return JSONResponse(self._out(session))

    async def socket(self, ws: WebSocket) -> None:
        subprotocol = SUBPROTOCOL if SUBPROTOCOL in ws.scope.get("subprotocols", ()) else None
        ctx = self._ctx
        try:
            chat = await ctx.session_chat(ws)
            session = await self._cobrowse.sessions.current(chat.id)
            if session is None or session.state != State.ACTIVE:
                raise ApiError(409, "cobrowse_not_running", "No co-browse session is running in this chat.")
            slot = await ctx.slots.take(Limit("cobrowse", chat.id, SOCKETS_PER_CHAT, "sharing this chat's tab"))
        except ApiError as exc:
            await _refuse(ws, subprotocol, exc.body(), 4000 + exc.status)
            return
        except Exception as exc:
            await _refuse(ws, subprotocol, unexpected(exc).body(), 1011)
            return
        try:
            await ws.accept(subprotocol)
            await self._run(ws, chat.id, session.sid)
        except WebSocketDisconnect:
            return
        finally:
            await ctx.slots.give_back(slot)

    async def _run(self, ws: WebSocket, chat_id: str, sid: str) -> None:
        after = await self._cobrowse.relay.control_end(sid)
        tasks = {asyncio.create_task(self._receive(ws, chat_id, sid)),
                 asyncio.create_task(self._control(ws, sid, after))}
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                await task
        for task in done:
            if not task.cancelled() and isinstance(task.exception(), Exception) \
                    and not isinstance(task.exception(), WebSocketDisconnect):
                log.warning("co-browse socket of %s failed", sid, exc_info=task.exception())
        reasons = [t.result() for t in done if not t.cancelled() and t.exception() is None]
        reason = next((r for r in reasons if r), "")
        if reason and ws.application_state == WebSocketState.CONNECTED:
            with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
                await ws.send_json({"type": "end", "reason": reason})
                await ws.close(1000)

    async def _receive(self, ws: WebSocket, chat_id: str, sid: str) -> str:
        """Relays the recorder's batches; returns why the session ended ("" when the tab went away)."""
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return ""
            text = message.get("text")
            try:
                if text is None:
                    raise Refused("bad_frame")
                await self._cobrowse.relay.append(chat_id, sid, text)
            except Refused as exc:
                if exc.reason == "ended":
                    return exc.reason
                log.info("co-browse %s cut off: %s", sid, exc.reason)
                # shielded: the end it writes wakes `_control`, whose return cancels this task mid-way
                await asyncio.shield(self._cobrowse.stop(chat_id, exc.reason))
                return exc.reason

    async def _control(self, ws: WebSocket, sid: str, after: str) -> str:
        """Passes the viewers' requests for a fresh snapshot on; returns when the session ends."""
        while True:
            for entry_id, fields in await self._cobrowse.relay.control(sid, after, CONTROL_BLOCK_MS):
                after = entry_id
                if fields.get("end"):
                    return fields["end"]
                if fields.get("snapshot"):
                    await ws.send_json({"type": "snapshot"})


async def _refuse(ws: WebSocket, subprotocol: str | None, body: dict[str, Any], code: int) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
        await ws.accept(subprotocol)
        await ws.send_json({"type": "error", **body})
        await ws.close(code=code)
