"""What a customer can do in a chat, shared by the HTTP endpoints and the WebSocket.

Every check happens before anything is stored, so a refused call changes nothing.
"""

import logging

import emoji

from adapters.widget.context import WidgetContext
from adapters.widget.errors import ApiError
from adapters.widget.views import stored_client_id
from bridge.domain.chat import Chat, ChatState
from bridge.domain.events import Attachment, AuthorKind, ChatEvent, EventKind
from bridge.events.receipts import NotAnEvent
from bridge.service import AlreadyRated, BadReaction, ChatClosed, ChatNotEnded

log = logging.getLogger(__name__)
SUGGESTIONS = 3


def check_text(text: str, max_chars: int, allow_empty: bool = False) -> None:
    if len(text) > max_chars:
        raise ApiError(422, "message_too_long", f"Messages are limited to {max_chars} characters.")
    if not allow_empty and not text.strip():
        raise ApiError(422, "empty_message", "The message is empty.")


def _closed() -> ApiError:
    return ApiError(409, "chat_closed", "This chat has ended.")


async def say(ctx: WidgetContext, chat: Chat, text: str, client_msg_id: str,
              attachments: list[Attachment] | None = None, was_typing: bool = True) -> ChatEvent:
    """`was_typing=False`: the caller knows the customer sent no typing signal, so none is cleared."""
    check_text(text, ctx.config.max_message_chars, allow_empty=bool(attachments))
    if chat.state == ChatState.CLOSED:
        raise _closed()
    try:
        event = await ctx.core.service.customer_message(chat.id, text, attachments, stored_client_id(client_msg_id),
                                                       current=chat)
    except ChatClosed:
        raise _closed() from None
    if was_typing:
        await ctx.typing.set(chat.id, AuthorKind.CUSTOMER.value, chat.customer.name, False)
    if chat.state == ChatState.BOT:
        await _suggest(ctx, chat, event)
    return event


async def _suggest(ctx: WidgetContext, chat: Chat, event: ChatEvent) -> None:
    """Offers up to three articles for the customer's first question, as cards in the chat."""
    if not event.text.strip():
        return
    events = await ctx.core.events.read_after(chat.id, "0", count=100)
    first = next((e for e in events if e.author.kind == AuthorKind.CUSTOMER and e.kind == EventKind.MESSAGE
                  and e.text.strip()), None)
    if first is None or first.id != event.id:
        return
    try:
        hits = await ctx.knowledge.search_articles(event.text, queue=chat.queue, limit=SUGGESTIONS)
    except Exception:  # the question is stored already; a broken index must not fail it
        log.exception("article suggestions failed for chat %s", chat.id)
        return
    for i, hit in enumerate(hits):
        data: dict[str, object] = {"title": hit.title, "summary": hit.summary, "url": hit.url, "snippet": hit.snippet,
                                   "source": "suggestion"}
        await ctx.core.service.suggestion_card(chat.id, i, hit.title, data)


async def escalate(ctx: WidgetContext, chat: Chat) -> None:
    if chat.state == ChatState.CLOSED:
        raise _closed()
    if chat.state != ChatState.BOT:
        raise ApiError(409, "already_escalated", "This chat is already with our team.")
    try:
        await ctx.core.service.escalate(chat.id)
    except ChatClosed:
        raise _closed() from None


async def end(ctx: WidgetContext, chat: Chat) -> None:
    """Ending an ended chat is fine: the customer's intent is met either way."""
    if chat.state == ChatState.CLOSED:
        return
    try:
        await ctx.core.service.close(chat.id, reason="customer_ended", by="customer")
    except ChatClosed:
        return


async def rate(ctx: WidgetContext, chat: Chat, score: int, comment: str) -> ChatEvent:
    try:
        return await ctx.core.service.rate(chat, score, comment)
    except ChatNotEnded:
        raise ApiError(409, "chat_not_closed", "A chat can be rated once it has ended.") from None
    except AlreadyRated:
        raise ApiError(409, "already_rated", "This chat has been rated already.") from None


async def react(ctx: WidgetContext, chat: Chat, target: str, key: str, removed: bool) -> ChatEvent:
    """A reaction from the widget's picker: one emoji, on a CSR's message of this chat."""
    if not emoji.is_emoji(key):
        raise ApiError(422, "bad_reaction", "A reaction is one emoji.")
    try:
        return await ctx.core.service.customer_reaction(chat, target, key, removed)
    except ChatClosed:
        raise _closed() from None
    except BadReaction as exc:
        raise ApiError(422, "bad_reaction", f"Refused: {exc}.") from None


async def mark_read(ctx: WidgetContext, chat: Chat, event_id: str) -> None:
    """The customer has seen the chat up to `event_id`, which must be one of its events."""
    try:
        await ctx.reads.mark(chat.id, AuthorKind.CUSTOMER.value, event_id)
    except NotAnEvent:
        raise ApiError(422, "unknown_event", "That event is not part of this chat.") from None
