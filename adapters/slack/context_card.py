"""The customer's context card in a chat's Slack thread: posted on the chat's first context event, then
rewritten in place (chat.update) when a later one changes what it shows.

Changes are debounced twice: a context event with a later one already waiting behind it draws nothing (the
later one draws the card as it is by then), and a card that would look the same is not sent again.
"""

from collections.abc import Sequence

from adapters.slack.mrkdwn import escape
from adapters.slack.render.blocks import Message
from adapters.slack.render.replies import render_reply
from adapters.slack.webapi import SlackCalls
from bridge.card_posts import CardPost, CardPosts, digest
from bridge.chats import ChatRepository
from bridge.commands.replies import ItemList
from bridge.domain.chat import Chat
from bridge.domain.events import ChatEvent, EventKind
from bridge.ports import ThreadRef
from transcripts.context_card import ContextCards

CARD_EVENT_TYPE = "csr_bridge_context_card"
"""Message metadata that marks the card's post in a thread (it carries no chat event)."""


def card_message(card: ItemList) -> Message:
    """The card in one message: its pages' blocks together (the card stays within Slack's 50 blocks), and the
    notification text escaped like the rest (a customer named `<!channel>` pings nobody)."""
    blocks = [b for m in render_reply(card) for b in m.blocks][:50]
    return Message(text=escape(card.title), blocks=blocks)


class SlackContextCard:
    def __init__(self, calls: SlackCalls, cards: ContextCards, chats: ChatRepository, posts: CardPosts) -> None:
        self._calls = calls
        self._cards = cards
        self._chats = chats
        self._posts = posts

    async def show(self, thread: ThreadRef, chat: Chat, following: Sequence[ChatEvent]) -> None:
        if any(e.kind is EventKind.CONTEXT for e in following):
            return
        current = await self._chats.get(chat.id) or chat
        message = card_message(await self._cards.thread_card(current))
        shown = digest(message.blocks)
        posted = await self._posts.get(chat.id, thread)
        if posted is None:
            response = await self._calls.post(channel=thread.conversation, thread_ts=thread.thread_id,
                                              text=message.text, blocks=message.blocks, unfurl_links=False,
                                              unfurl_media=False, metadata={"event_type": CARD_EVENT_TYPE,
                                                                            "event_payload": {"chat": chat.id}})
            await self._posts.put(chat.id, thread, CardPost(str(response["ts"]), shown))
        elif posted.digest != shown:
            await self._calls.update(channel=thread.conversation, ts=posted.post_id, text=message.text,
                                     blocks=message.blocks)
            await self._posts.put(chat.id, thread, CardPost(posted.post_id, shown))
