"""The chat endpoints: start, read, speak, escalate, end, rate, and catch up on events."""

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from adapters.widget import conversation
from adapters.widget.bodies import M, json_limit, read_json
from adapters.widget.context import WidgetContext
from adapters.widget.errors import ApiError
from adapters.widget.languages import asked_in_query, customer_language
from adapters.widget.ratelimit import client_address
from adapters.widget.schemas import (
    EventsPage,
    EventStored,
    GiveEmail,
    NewMessage,
    PageChange,
    Rating,
    StartChat,
    StartedChat,
    TopicOut,
    UploadLimitsOut,
    WidgetSettings,
)
from adapters.widget.views import chat_out, customer_state, event_out, stored_client_id, widget_notices
from adapters.widget.visitor import customer_from, visit_from
from adapters.widget.wording import CustomerWords, closed_wording, opens_text
from bridge.clock import now
from bridge.config.widget import TopicConfig
from bridge.events.stream import valid_event_id
from bridge.hours import status_of
from bridge.i18n import localize, widget_catalog
from bridge.service import ChatClosed, UnknownChat

PAGE = 200


def checked_after(value: str) -> str:
    """The `after` cursor of /events and the WebSocket, refused (400) unless Redis can read from it."""
    if not valid_event_id(value):
        raise ApiError(400, "invalid_after", "`after` must be an event id such as 1712345678901-0, or 0.")
    return value


class ChatEndpoints:
    def __init__(self, ctx: WidgetContext) -> None:
        self._ctx = ctx

    def routes(self) -> list[Route]:
        return [
            Route("/config", self.settings, methods=["GET"]),
            Route("/chats", self.start, methods=["POST"]),
            Route("/chats/{chat_id}", self.show, methods=["GET"]),
            Route("/chats/{chat_id}/messages", self.message, methods=["POST"]),
            Route("/chats/{chat_id}/escalate", self.escalate, methods=["POST"]),
            Route("/chats/{chat_id}/close", self.close, methods=["POST"]),
            Route("/chats/{chat_id}/email", self.email, methods=["POST"]),
            Route("/chats/{chat_id}/rating", self.rating, methods=["POST"]),
            Route("/chats/{chat_id}/page", self.page, methods=["POST"]),
            Route("/chats/{chat_id}/events", self.events, methods=["GET"]),
        ]

    def _topic_out(self, topic: TopicConfig, at: float, words: CustomerWords) -> TopicOut:
        """A topic with its queue's business hours now, so the widget can say it is closed before a chat starts."""
        label = localize(topic.label, words.tr, words.default_language)
        hours = status_of(self._ctx.core.config.hours_of(topic.queue), at)
        if hours.open:
            return TopicOut(id=topic.id, label=label)
        closed = closed_wording({"opens_at": hours.opens_at}, words)
        return TopicOut(id=topic.id, label=label, open=False, opens_at=hours.opens_at, closed_note=closed.note,
                        closed_status=closed.status,
                        opens_text=opens_text(hours.opens_at) if hours.opens_at is not None else "")

    async def settings(self, request: Request) -> JSONResponse:
        """The widget's settings and strings in the customer's language (`?lang=`, else Accept-Language), with
        each topic's business hours now."""
        cfg = self._ctx.config
        language = customer_language(self._ctx.core.config.languages, request, asked_in_query(request))
        words = self._ctx.words(language)
        tr, default = words.tr, words.default_language
        at = now()
        out = WidgetSettings(title=localize(cfg.title, tr, default), primary_color=cfg.primary_color,
                             text_color=cfg.text_color, greeting=localize(cfg.greeting, tr, default),
                             topics=[self._topic_out(t, at, words) for t in cfg.topics],
                             max_message_chars=cfg.max_message_chars,
                             uploads=UploadLimitsOut(max_bytes=cfg.uploads.max_bytes,
                                                     allowed_types=cfg.uploads.allowed_types),
                             language=language, dir="rtl" if tr.dir == "rtl" else "ltr",
                             strings=widget_catalog(language), notices=widget_notices(cfg, tr))
        return JSONResponse(out.model_dump(), headers={"Cache-Control": "public, max-age=30",
                                                       "Vary": "Accept-Language", "Content-Language": language})

    async def start(self, request: Request) -> JSONResponse:
        ctx = self._ctx
        body = await self._read(request, StartChat)
        topic = self._topic(body.topic)
        conversation.check_text(body.message, ctx.config.max_message_chars, allow_empty=True)
        session_customer = ctx.customers.session_customer(body.customer_token)
        customer = customer_from(body, ctx.config.identity_secret.get_secret_value(), session_customer)
        await ctx.limiter.check("chats", client_address(request.scope), ctx.config.chats_per_hour_per_address,
                                3600, "new chats from this address")
        language = customer_language(ctx.core.config.languages, request, body.languages)
        customer = customer.model_copy(update={"language": language})
        visit = await visit_from(body, request.headers.get("user-agent", ""))
        chat = await ctx.core.service.start_chat(customer, topic.id, topic.queue, topic.priority, "", visit)
        if body.message.strip():
            await conversation.say(ctx, chat, body.message, body.client_msg_id)
        issued = ctx.tokens.issue(chat.id)
        out = StartedChat(**chat_out(chat, ctx.core.config, ctx.chat_words(chat)).model_dump(), token=issued.token,
                          expires_at=issued.expires_at, customer_token=ctx.customers.issue(session_customer),
                          verified=customer.verified)
        return JSONResponse(out.model_dump(), status_code=201)

    def _topic(self, topic_id: str) -> TopicConfig:
        topics = self._ctx.config.topics
        if not topics:
            return TopicConfig(id="general", label="General", queue=self._ctx.core.config.queues[0].name)
        if not topic_id:
            return topics[0]
        found = next((t for t in topics if t.id == topic_id), None)
        if found is None:
            raise ApiError(422, "unknown_topic", f"Pick one of the topics: {', '.join(t.id for t in topics)}.")
        return found

    async def _read(self, request: Request, model: type[M]) -> M:
        return await read_json(request, model, json_limit(self._ctx.config.max_message_chars))

    async def show(self, request: Request) -> JSONResponse:
        chat = await self._ctx.session_chat(request)
        return JSONResponse(chat_out(chat, self._ctx.core.config, self._ctx.chat_words(chat)).model_dump())

    async def message(self, request: Request) -> JSONResponse:
        ctx = self._ctx
        chat = await ctx.session_chat(request)
        body = await self._read(request, NewMessage)
        if body.client_msg_id and (seen := await ctx.core.events.find_by_client_id(
                chat.id, stored_client_id(body.client_msg_id))):
            stored = await ctx.core.events.get(chat.id, seen)
            if stored is not None:
                return JSONResponse(EventStored(event=event_out(stored, ctx.chat_words(chat))).model_dump())
        await ctx.count_action(chat.id)
        event = await conversation.say(ctx, chat, body.text, body.client_msg_id)
        return JSONResponse(EventStored(event=event_out(event, ctx.chat_words(chat))).model_dump(), status_code=201)

    async def escalate(self, request: Request) -> JSONResponse:
        chat = await self._ctx.session_chat(request)
        await self._ctx.count_action(chat.id)
        await conversation.escalate(self._ctx, chat)
        return await self._chat_now(chat.id)

    async def email(self, request: Request) -> JSONResponse:
        chat = await self._ctx.session_chat(request)
        body = await self._read(request, GiveEmail)
        await self._ctx.count_action(chat.id)
        updated = await conversation.give_email(self._ctx, chat, body.email)
        return JSONResponse(chat_out(updated, self._ctx.core.config, self._ctx.chat_words(updated)).model_dump())

    async def close(self, request: Request) -> JSONResponse:
        chat = await self._ctx.session_chat(request)
        await self._ctx.count_action(chat.id)
        await conversation.end(self._ctx, chat)
        return await self._chat_now(chat.id)

    async def rating(self, request: Request) -> JSONResponse:
        chat = await self._ctx.session_chat(request)
        body = await self._read(request, Rating)
        await self._ctx.count_action(chat.id)
        event = await conversation.rate(self._ctx, chat, body.score, body.comment)
        out = EventStored(event=event_out(event, self._ctx.chat_words(chat)))
        return JSONResponse(out.model_dump(), status_code=201)

    async def page(self, request: Request) -> JSONResponse:
        """The customer moved to another page: the CSR's context card follows (rate-bounded per chat)."""
        ctx = self._ctx
        chat = await ctx.session_chat(request)
        body = await self._read(request, PageChange)
        await ctx.limiter.check("page", chat.id, ctx.config.page_updates_per_minute, 60, "page changes in this chat")
        visit = chat.visit.model_copy(update={"page_url": body.page_url, "page_title": body.page_title,
                                              "updated_at": now()})
        try:
            await ctx.core.service.visited(chat, visit)
        except ChatClosed:
            raise ApiError(409, "chat_closed", "This chat has ended.") from None
        except UnknownChat:
            raise ApiError(404, "chat_not_found", "This chat no longer exists; start a new one.") from None
        return JSONResponse({"page_url": body.page_url}, status_code=202)

    async def events(self, request: Request) -> JSONResponse:
        chat = await self._ctx.session_chat(request)
        after = checked_after(request.query_params.get("after", "0"))
        batch = await self._ctx.core.events.read_after(chat.id, after, count=PAGE)
        page = EventsPage(events=[event_out(e, self._ctx.chat_words(chat)) for e in batch if e.customer_visible],
                          last_event_id=batch[-1].id if batch else after, more=len(batch) == PAGE,
                          state=customer_state(chat))
        return JSONResponse(page.model_dump())

    async def _chat_now(self, chat_id: str) -> JSONResponse:
        chat = await self._ctx.core.chats.get(chat_id)
        if chat is None:
            raise ApiError(404, "chat_not_found", "This chat no longer exists; start a new one.")
        return JSONResponse(chat_out(chat, self._ctx.core.config, self._ctx.chat_words(chat)).model_dump())
