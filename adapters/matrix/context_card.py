"""The customer's context card in a chat's Matrix thread: sent on the chat's first context event, then edited
in place (`m.replace`, queued in the room's outbox) when a later one changes what it shows.

Debounced as on Slack: a context event with a later one waiting behind it draws nothing, and a card that would
look the same is not sent again. Every value is HTML-escaped exactly as customers' messages are.
"""

from collections.abc import Sequence
from html import escape
from typing import Any

from adapters.matrix.lanes import Wake
from adapters.matrix.outbox import Outbox, OutboxEntry
from adapters.matrix.poster import Poster, txn_id
from adapters.matrix.relations import in_thread, replacing
from adapters.matrix.render import html_text
from adapters.matrix.replies import command_text
from bridge.card_posts import CardPost, CardPosts, digest
from bridge.chats import ChatRepository
from bridge.commands.replies import ItemList
from bridge.domain.chat import Chat
from bridge.domain.events import ChatEvent, EventKind
from bridge.ports import ThreadRef
from transcripts.context_card import ContextCards


def card_content(card: ItemList, prefix: str) -> dict[str, Any]:
    """The card as one m.notice: a plain-text body and escaped HTML; actions name the command to type."""
    body, html = [card.title], [f"<b>{html_text(card.title)}</b><ul>"]
    for item in card.items:
        actions = "; ".join(f"{a.label}: {command_text(a, prefix)}" for a in item.actions)
        body.append(f"• {item.title}: {item.detail}" + (f" ({item.url})" if item.url else "")
                    + (f" [{actions}]" if actions else ""))
        title = (f'<a href="{escape(item.url)}">{html_text(item.title)}</a>'
                 if item.url.startswith(("https://", "http://")) else html_text(item.title))
        acts = "; ".join(f"{html_text(a.label)}: <code>{escape(command_text(a, prefix))}</code>" for a in item.actions)
        html.append(f"<li><b>{title}</b>: {html_text(item.detail)}" + (f" <small>[{acts}]</small>" if acts else "")
                    + "</li>")
    html.append("</ul>")
    return {"msgtype": "m.notice", "body": "\n".join(body), "format": "org.matrix.custom.html",
            "formatted_body": "".join(html)}


class MatrixContextCard:
    def __init__(self, cards: ContextCards, chats: ChatRepository, posts: CardPosts, poster: Poster, outbox: Outbox,
                 wake: Wake, prefix: str) -> None:
        self._cards = cards
        self._chats = chats
        self._posts = posts
        self._poster = poster
        self._outbox = outbox
        self._wake = wake
        self._prefix = prefix

    async def show(self, thread: ThreadRef, chat: Chat, event: ChatEvent, following: Sequence[ChatEvent]) -> None:
        if any(e.kind is EventKind.CONTEXT for e in following):
            return
        current = await self._chats.get(chat.id) or chat
        content = card_content(await self._cards.thread_card(current), self._prefix)
        shown = digest(content)
        posted = await self._posts.get(chat.id, thread)
        room, root = thread.conversation, thread.thread_id
        if posted is None:
            sent = await self._poster.send(room, in_thread(content, root, root), txn_id(f"card.{chat.id}.{root}"),
                                           attempts=3)
            await self._posts.put(chat.id, thread, CardPost(sent, shown))
        elif posted.digest != shown:
            await self._outbox.put(room, OutboxEntry(key=f"card.{chat.id}.{event.id}", chat_id=chat.id,
                                                     content=replacing(posted.post_id, content)))
            await self._posts.put(chat.id, thread, CardPost(posted.post_id, shown))
            self._wake(room, "")
