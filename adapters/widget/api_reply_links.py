"""`POST /reply-links`: the link in a reply email reopens the customer's chat in the widget.

The link carries a signed, expiring code naming the chat; redeeming it issues a fresh session token, as
starting a chat does, and the browser session's customer token (the chat's own session when it had one, so the
customer's next chat links to this one). A forged or stale link, or one to a chat that has ended or was
erased, gets a clear answer the widget shows, and the customer can start a new chat from there.
"""

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from adapters.widget.bodies import read_json
from adapters.widget.context import WidgetContext
from adapters.widget.errors import ApiError
from adapters.widget.ratelimit import client_address
from adapters.widget.schemas import ReplyLink, StartedChat
from adapters.widget.views import chat_out
from bridge.domain.chat import ChatState
from followup.links import BadReplyToken, ReplyLinks

MAX_BODY = 4096
PER_HOUR = 60


class ReplyLinkEndpoint:
    def __init__(self, ctx: WidgetContext, links: ReplyLinks) -> None:
        self._ctx = ctx
        self._links = links

    def routes(self) -> list[Route]:
        return [Route("/reply-links", self.redeem, methods=["POST"])]

    async def redeem(self, request: Request) -> JSONResponse:
        ctx = self._ctx
        body = await read_json(request, ReplyLink, MAX_BODY)
        await ctx.limiter.check("reply-links", client_address(request.scope), PER_HOUR, 3600, "reply links")
        try:
            chat_id = self._links.chat_of_link(body.code)
        except BadReplyToken:
            raise ApiError(401, "invalid_reply_link", "This link is not valid or has expired; start a new chat.") \
                from None
        chat = await ctx.core.chats.get(chat_id)
        if chat is None or chat.state == ChatState.CLOSED:
            raise ApiError(410, "chat_gone", "This conversation has ended; start a new chat and we'll help you.")
        issued = ctx.tokens.issue(chat.id)
        session = chat.customer.id if chat.customer.id.startswith("s_") else ctx.customers.session_customer("")
        out = StartedChat(**chat_out(chat, ctx.core.config, ctx.chat_words(chat)).model_dump(), token=issued.token,
                          expires_at=issued.expires_at, customer_token=ctx.customers.issue(session),
                          verified=chat.customer.verified)
        return JSONResponse(out.model_dump())
