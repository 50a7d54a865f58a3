"""A chat event as posts in its Slack thread; kinds that don't belong in a thread render to none.

The customer's own words are posted under their name and avatar (chat:write.customize); everything
the customer or a CSR typed is escaped, so nobody can ping a channel or fake a link from here.
"""

from dataclasses import dataclass, field

from adapters.slack.mrkdwn import escape, escaped_length, split_escaped, truncate
from adapters.slack.render.blocks import Block, context, sections
from bridge import tag_notices
from bridge.domain.chat import Chat
from bridge.domain.events import AuthorKind, ChatEvent, EventKind

MAX_TEXT = 39_000
"""chat.postMessage keeps 40,000 characters of text; stay below, measured after escaping."""
NOT_IN_THREAD = {EventKind.TYPING, EventKind.POSITION, EventKind.QUEUED, EventKind.OFFERED,
                 EventKind.DECLINED, EventKind.MISSED, EventKind.REACTION, EventKind.CONTEXT}
"""CONTEXT draws the context card instead (adapters.slack.context_card)."""


@dataclass
class Post:
    text: str
    blocks: list[Block] = field(default_factory=list)
    username: str = ""
    icon_url: str = ""


@dataclass
class Burst:
    """What one delivery of a customer's consecutive messages posts: how many messages it carries, in which posts."""

    carried: int
    posts: list[Post]


def customer_burst(chat: Chat, texts: list[str], icon_url: str, limit: int = MAX_TEXT) -> Burst:
    """The first of `texts` and those after it that fit one post together (a paced burst is coalesced, one
    message a line), or the first alone in as many posts as its escaped length needs: a customer's words
    are never cut off, and `&` (escaped to five characters) counts as what Slack receives.

    The name carries "(customer)" so a customer who calls themselves "Alice" can't pass for CSR Alice."""
    size, carried = escaped_length(texts[0]), 1
    if size > limit:
        bodies = [escape(piece) for piece in split_escaped(texts[0], limit)]
    else:
        for text in texts[1:]:
            size += 1 + escaped_length(text)
            if size > limit:
                break
            carried += 1
        bodies = ["\n".join(escape(t) for t in texts[:carried])]
    name = f"{truncate(chat.customer.name, 69)} (customer)"
    return Burst(carried, [Post(text=body, username=name, icon_url=icon_url) for body in bodies])


def is_customer_text(event: ChatEvent) -> bool:
    return event.kind is EventKind.MESSAGE and event.author.kind is AuthorKind.CUSTOMER and bool(event.text)


def render_event(chat: Chat, event: ChatEvent, icon_url: str) -> list[Post]:
    """Every post that shows `event`: none for kinds that stay out of threads, several for a long customer
    message; other long text is shortened to what Slack takes (it is not the customer's words)."""
    if is_customer_text(event):
        return customer_burst(chat, [event.text], icon_url).posts
    post = _other_post(chat, event)
    return [post] if post is not None else []


def _other_post(chat: Chat, event: ChatEvent) -> Post | None:
    if event.kind in NOT_IN_THREAD:
        return None
    name = escape(event.author.name) or "CSR Bridge"
    text = _escaped_within(event.text, MAX_TEXT - 1000)
    kind = event.kind
    if kind is EventKind.MESSAGE:
        if event.author.kind is AuthorKind.CUSTOMER:
            return None
        return Post(text=f"*{name}* to {escape(chat.customer.name)}: {text}") if event.text else None
    if kind is EventKind.NOTE:
        return Post(text=f":lock: *Internal note from {name}:* {text}")
    if kind is EventKind.CARD:
        return _card(event, name)
    if kind is EventKind.EDITED:
        return Post(text=f":pencil2: {name} edited a message: {text}")
    if kind is EventKind.DELETED:
        return Post(text=f":wastebasket: {name} deleted a message.")
    return _system(chat, event, text, name)


def _escaped_within(text: str, limit: int) -> str:
    """`text` escaped, shortened (with an ellipsis) where its escaped length would pass `limit`."""
    if escaped_length(text) <= limit:
        return escape(text)
    return escape(split_escaped(text, limit - 1)[0]) + "…"


def _card(event: ChatEvent, name: str) -> Post:
    title = escape(str(event.data.get("title", "") or event.text or "Card"))
    url = str(event.data.get("url", ""))
    summary = escape(str(event.data.get("summary", "")))
    link = f"<{escape(url)}|{title}>" if url.startswith(("https://", "http://")) else f"*{title}*"
    blocks = [*sections(truncate(f"{link}\n{summary}".strip(), 2900)), context(f"Card sent to the customer by {name}")]
    return Post(text=f"{name} sent a card: {title}", blocks=blocks)


def _system(chat: Chat, event: ChatEvent, text: str, name: str) -> Post:
    data = event.data
    kind = event.kind
    if kind is EventKind.ACCEPTED:
        line = f":white_check_mark: {text or f'{name} accepted the chat.'}"
    elif kind is EventKind.TRANSFERRED:
        line = f":arrows_counterclockwise: {text or 'The chat was transferred.'}"
    elif kind is EventKind.OVERFLOWED:
        line = f":arrow_right_hook: {text or 'The chat moved to another queue after waiting too long.'}"
    elif kind is EventKind.CLOSED:
        reason = escape(str(data.get("reason", "")))
        line = f":checkered_flag: {text or 'The chat ended' + (f' ({reason})' if reason else '') + '.'}"
    elif kind is EventKind.RATING:
        stars = escape(str(data.get("score", "?")))
        comment = escape(str(data.get("comment", "")))
        line = f":star: {text or f'The customer rated the chat {stars}/5.'}" + (f" “{comment}”" if comment else "")
    elif kind is EventKind.CASE:
        line = f":card_index: {text or 'A service case was filed.'}"
    elif kind is EventKind.TAGGED:
        line = f":label: {escape(tag_notices.tag_change(event))}"
    elif kind is EventKind.OUTCOME:
        line = f":bookmark: {escape(tag_notices.outcome(event))}"
    else:
        line = f":information_source: {text}" if text else ""
    return Post(text=line or f":information_source: {kind.value}")
