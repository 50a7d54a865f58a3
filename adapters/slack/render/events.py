"""A chat event as a post in its Slack thread; kinds that don't belong in a thread render to None.

The customer's own words are posted under their name and avatar (chat:write.customize); everything
the customer or a CSR typed is escaped, so nobody can ping a channel or fake a link from here.
"""

from dataclasses import dataclass, field

from adapters.slack.mrkdwn import escape, truncate
from adapters.slack.render.blocks import Block, context, sections
from bridge.domain.chat import Chat
from bridge.domain.events import AuthorKind, ChatEvent, EventKind

MAX_TEXT = 39_000
"""chat.postMessage keeps 40,000 characters of text; stay below with room for the markup."""
NOT_IN_THREAD = {EventKind.TYPING, EventKind.POSITION, EventKind.QUEUED, EventKind.OFFERED,
                 EventKind.DECLINED, EventKind.MISSED}


@dataclass
class Post:
    text: str
    blocks: list[Block] = field(default_factory=list)
    username: str = ""
    icon_url: str = ""


def customer_post(chat: Chat, texts: list[str], icon_url: str) -> Post:
    """One post for one or more consecutive customer messages (a paced burst is coalesced).

    The name carries "(customer)" so a customer who calls themselves "Alice" can't pass for CSR Alice."""
    body = "\n".join(escape(t) for t in texts if t)
    return Post(text=truncate(body, MAX_TEXT), username=f"{truncate(chat.customer.name, 69)} (customer)",
                icon_url=icon_url)


def render_event(chat: Chat, event: ChatEvent, icon_url: str) -> Post | None:
    if event.kind in NOT_IN_THREAD:
        return None
    name = escape(event.author.name) or "CSR Bridge"
    text = escape(truncate(event.text, MAX_TEXT))
    kind = event.kind
    if kind is EventKind.MESSAGE:
        if event.author.kind is AuthorKind.CUSTOMER:
            return customer_post(chat, [event.text], icon_url) if event.text else None
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
    else:
        line = f":information_source: {text}" if text else ""
    return Post(text=line or f":information_source: {kind.value}")
