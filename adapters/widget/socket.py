"""The live channel of a chat: takes the customer's messages, typing, reads and reactions; `pusher` sends the
chat's events and the CSR side's signals.

Connect to `.../ws?after=LAST_EVENT_ID` offering the subprotocols `csr-bridge.v1, token.<session token>`;
the server answers `csr-bridge.v1`, never echoing the token.
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from adapters.widget import conversation
from adapters.widget.api_chats import checked_after
from adapters.widget.bodies import json_limit, parse_json
from adapters.widget.context import SESSION_ACTIONS, SESSION_SCOPE, WidgetContext, presented_token
from adapters.widget.errors import ApiError, rate_limited, request_language, unexpected
from adapters.widget.pusher import push_events
from adapters.widget.ratelimit import client_address
from adapters.widget.schemas import SocketFrame, SocketMessage, SocketReaction, SocketRead, SocketTyping
from adapters.widget.socket_slots import Limit
from adapters.widget.tokens import expired
from adapters.widget.views import stored_client_id
from bridge.chats import DecodedChat
from bridge.clock import now
from bridge.domain.chat import Chat, ChatState
from bridge.domain.events import AuthorKind
from bridge.ratelimit import seconds_to_wait

log = logging.getLogger(__name__)
TYPING_PER_MINUTE = 40
SIGNALS_PER_MINUTE: dict[type, tuple[str, int]] = {
    SocketTyping: ("typing", TYPING_PER_MINUTE), SocketRead: ("read", 60), SocketReaction: ("reaction", 30)}
"""Per chat, whatever the number of sockets: a few signals a second at most, counted in the frame's round trip."""
SUBPROTOCOL = "csr-bridge.v1"


class ChatSocket:
    def __init__(self, ctx: WidgetContext) -> None:
        self._ctx = ctx

    def routes(self) -> list[Any]:
        return [
            WebSocketRoute("/chats/{chat_id}/ws", self.endpoint),
            Route("/chats/{chat_id}/ws", self.not_upgraded, methods=["GET"]),
        ]

    async def not_upgraded(self, _: Request) -> None:
        raise ApiError(426, "upgrade_required", "This address takes WebSocket connections only.",
                       headers={"Upgrade": "websocket"})

    async def endpoint(self, ws: WebSocket) -> None:
        # A browser that offered subprotocols drops a handshake that does not pick one of them.
        subprotocol = SUBPROTOCOL if SUBPROTOCOL in ws.scope.get("subprotocols", ()) else None
        try:
            await self._session(ws, subprotocol)
        except WebSocketDisconnect:
            return
        except Exception as exc:  # a bug or Redis away: the client still gets a reason and a close frame
            error = unexpected(exc)
            if error.status == 503:
                log.warning("chat socket closed: Redis unavailable (%s)", exc.__class__.__name__)
            else:
                log.exception("chat socket failed")
            await _refuse(ws, subprotocol, error, 1013 if error.status == 503 else 1011)

    async def _session(self, ws: WebSocket, subprotocol: str | None) -> None:
        ctx = self._ctx
        token = presented_token(ws)
        try:
            chat = await ctx.session_chat(ws)
            after = checked_after(ws.query_params.get("after", "0"))
            slot = await ctx.slots.take(Limit("chat", chat.id, ctx.config.sockets_per_chat, "in this chat"),
                                        Limit("addr", client_address(ws.scope), ctx.config.sockets_per_address,
                                              "from this address"))
        except ApiError as exc:
            await _refuse(ws, subprotocol, exc, 4000 + exc.status)
            return
        try:
            await ws.accept(subprotocol)
            await self._run(ws, chat.id, after, ctx.tokens.expires_at(token), chat.customer.language)
        finally:
            await ctx.slots.give_back(slot)

    async def _run(self, ws: WebSocket, chat_id: str, after: str, token_expires: float, language: str) -> None:
        closed = asyncio.Event()
        tasks = {asyncio.create_task(push_events(self._ctx, ws, chat_id, after, closed)),
                 asyncio.create_task(self._listen(ws, chat_id, token_expires, language))}
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        closed.set()  # the pusher also stops on this: redis-py may swallow a cancellation mid-command
        for task in pending:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                await task
        codes = [_close_code(task) for task in done]  # read every finished task, or asyncio logs its error
        if None in codes:
            return
        closing = codes[0]
        if ws.application_state == WebSocketState.CONNECTED and ws.client_state == WebSocketState.CONNECTED:
            await ws.close(code=closing or 1000)

    async def _listen(self, ws: WebSocket, chat_id: str, token_expires: float, language: str) -> int:
        """Handles the customer's frames until they disconnect; returns the close code to use. Errors are
        worded in the chat's `language`."""
        typing = False  # what this socket last said of the customer's typing
        record = DecodedChat()
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return 0
            frame: Any = None
            try:
                frame = _frame(message.get("text"), json_limit(self._ctx.config.max_message_chars))
                typing = await self._handle(ws, await self._read(chat_id, token_expires, frame, record), frame, typing)
            except ApiError as exc:
                cid = frame.client_msg_id if isinstance(frame, SocketMessage) else ""
                await ws.send_json({"type": "error", **exc.body(language), "client_msg_id": cid})
                if exc.status in (401, 403, 404):
                    return 4000 + exc.status

    async def _read(self, chat_id: str, token_expires: float, frame: Any, record: DecodedChat) -> "_Frame":
        """Checked on every frame: a socket outliving its token or its chat stops taking input. The same
        round trip reads the event already stored for a message's client id (a resend) and counts the frame
        against its rate limit; `record` decodes the chat again only when it changed."""
        if now() >= token_expires:
            raise expired()
        ctx, core = self._ctx, self._ctx.core
        cid = stored_client_id(frame.client_msg_id) if isinstance(frame, SocketMessage) else ""
        pipe = core.store.batch.pipeline()
        core.chats.get_in(pipe, chat_id)
        core.events.find_by_client_id_in(pipe, chat_id, cid)
        if isinstance(frame, SocketMessage):
            await ctx.limiter.count_in(pipe, SESSION_SCOPE, chat_id, ctx.config.messages_per_minute, 60)
        elif (limit := SIGNALS_PER_MINUTE.get(type(frame))) is not None:
            await ctx.limiter.count_in(pipe, limit[0], chat_id, limit[1], 60)
        raw, seen, *counted = await core.store.batch.execute(pipe)
        chat = record.of(raw)
        if chat is None:
            raise ApiError(404, "chat_not_found", "This chat no longer exists; start a new one.")
        return _Frame(chat, seen if cid else None, seconds_to_wait(counted[0] if counted else 0))

    async def _handle(self, ws: WebSocket, read: "_Frame", frame: Any, typing: bool) -> bool:
        """Acts on one frame; returns whether the customer is typing, as far as this socket knows."""
        ctx, chat = self._ctx, read.chat
        if isinstance(frame, SocketTyping):
            if chat.state == ChatState.CLOSED or read.wait:
                return typing  # typing is a hint: dropped quietly after the end or when it comes too often
            await ctx.typing.set(chat.id, AuthorKind.CUSTOMER.value, chat.customer.name, frame.typing)
            return frame.typing
        if isinstance(frame, SocketRead | SocketReaction):
            if read.wait:
                raise rate_limited(read.wait, "reads" if isinstance(frame, SocketRead) else "reactions")
            if isinstance(frame, SocketRead):
                await conversation.mark_read(ctx, chat, frame.event_id)
            else:
                await conversation.react(ctx, chat, frame.target, frame.key, frame.removed)
            return typing
        if isinstance(frame, SocketMessage):
            seen = read.seen
            if seen is None:
                if read.wait:
                    raise rate_limited(read.wait, SESSION_ACTIONS)
                seen = (await conversation.say(ctx, chat, frame.text, frame.client_msg_id, was_typing=typing)).id
                typing = False
            await ws.send_json({"type": "ack", "client_msg_id": frame.client_msg_id, "event_id": seen})
            return typing
        await ws.send_json({"type": "pong"})
        return typing


@dataclass(frozen=True)
class _Frame:
    """What a frame's round trip read: the chat, a resend's stored event id, the rate limit's wait."""

    chat: Chat
    seen: str | None
    wait: int


def _frame(text: str | None, limit: int) -> Any:
    if text is None or len(text) > limit:
        raise ApiError(400, "bad_frame", f"Send JSON text frames of at most {limit} characters.")
    return parse_json(text, SocketFrame).root


def _close_code(task: "asyncio.Task[int]") -> int | None:
    """The code a finished side asks to close with; None when the client is already gone."""
    try:
        return task.result()
    except WebSocketDisconnect:
        return None


async def _refuse(ws: WebSocket, subprotocol: str | None, error: ApiError, code: int) -> None:
    """Says why in an error frame, then closes; a browser sees no reason in a refused handshake."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):  # the client may be gone already
        if ws.application_state == WebSocketState.CONNECTING:
            await ws.accept(subprotocol)
        if ws.application_state == WebSocketState.CONNECTED:
            await ws.send_json({"type": "error", **error.body(request_language(ws))})
            await ws.close(code=code)
