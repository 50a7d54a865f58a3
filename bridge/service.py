"""The message service: takes an event from one side and puts it on the chat's stream for the other.

`ChatService` is the one writer of chat events in Python: adapters and features ask it (a message, a note,
a suggestion card, a rating, a recorded case) and never append to the stream themselves, so every event
gets its checks, author and origin in one place. The only other writer is routing's Lua, which appends
its state-change events (queued, offered, accepted, ...) in the same atomic step as the change.
Delivery to the CSR thread and to the widget reads the stream. Permission to speak in a chat is checked
here, once, for every platform.
"""

from collections.abc import Sequence
from typing import Protocol

from bridge.chats import ChatRepository, TagChange
from bridge.clock import now
from bridge.config.agents import AgentConfig
from bridge.domain.agent import Role
from bridge.domain.chat import Chat, ChatState, Customer, Visit
from bridge.domain.events import Attachment, Author, AuthorKind, ChatEvent, EventKind, Origin
from bridge.domain.ids import new_id
from bridge.domain.tags import MAX_TAGS
from bridge.events.stream import ChatStream, valid_event_id
from bridge.text import clean_text

CUSTOMER_ORIGIN = Origin(platform="widget")


class ChatClosed(Exception):
    """The chat has ended; nothing more can be said in it."""


class NotYours(Exception):
    """The caller is neither the chat's CSR nor a supervisor of its queue."""


class Unclaimed(NotYours):
    """A left message nobody has claimed yet: it becomes someone's with `csr claim`."""


class UnknownChat(Exception):
    pass


class TooManyTags(Exception):
    """A chat carries at most MAX_TAGS tags."""


class BadReaction(ValueError):
    """A reaction names no message it may go on, or a key no platform would show."""


class ChatNotEnded(Exception):
    """A rating waits for the chat's end."""


class AlreadyRated(Exception):
    """A chat is rated once."""


REACTION_KEY_CHARS = 104
"""An emoji with its modifiers is a handful of code points; a custom Slack emoji's `:name:` up to 102."""

RATING_ID = "rating"
"""The rating's client message id: the stream stores one event per id, so a chat is rated once."""


class RoutingPort(Protocol):
    async def opened(self, chat_id: str) -> None:
        """Starts the chat's customer-idle clock: every chat has a way to end."""
        ...

    async def escalate(self, chat_id: str) -> None: ...

    async def close(self, chat_id: str, reason: str, by: str) -> None: ...


class ChatService:
    def __init__(self, chats: ChatRepository, stream: ChatStream, routing: RoutingPort) -> None:
        self._chats = chats
        self._stream = stream
        self._routing = routing

    async def start_chat(self, customer: Customer, topic: str, queue: str, priority: int, first_message: str,
                         visit: Visit | None = None) -> Chat:
        chat = Chat(id=new_id(), customer=customer, topic=topic, queue=queue, priority=priority, created_at=now(),
                    visit=visit or Visit())
        await self._chats.create(chat)
        await self._context_changed(chat.id, "start")
        await self._routing.opened(chat.id)
        if first_message:
            await self.customer_message(chat.id, first_message)
        return chat

    async def customer_message(
        self, chat_id: str, text: str, attachments: list[Attachment] | None = None, client_msg_id: str = "",
        current: Chat | None = None, origin: Origin = CUSTOMER_ORIGIN,
    ) -> ChatEvent:
        """`current`: the chat as the caller read it a moment ago (the widget checks it on every frame);
        `origin`: where the customer wrote (the widget, or an emailed answer)."""
        chat = current if current is not None and current.id == chat_id else await self._get(chat_id)
        if chat.state == ChatState.CLOSED:
            raise ChatClosed(chat_id)
        author = Author(kind=AuthorKind.CUSTOMER, id=chat.id, name=chat.customer.name)
        return await self._append(chat.id, EventKind.MESSAGE, author, text, origin,
                                  attachments=attachments or [], client_msg_id=client_msg_id)

    async def agent_message(
        self, chat_id: str, agent: AgentConfig, text: str, origin: Origin,
        attachments: list[Attachment] | None = None, kind: EventKind = EventKind.MESSAGE,
        data: dict[str, object] | None = None,
    ) -> ChatEvent:
        """A CSR speaking to the customer (or a card they send); only the owner or a supervisor may."""
        chat = await self.open_chat_for(chat_id, agent)
        return await self._append(chat.id, kind, _author(agent), text, origin,
                                  attachments=attachments or [], client_msg_id=origin.event_id, data=data or {})

    async def note(self, chat_id: str, agent: AgentConfig, text: str, origin: Origin) -> ChatEvent:
        chat = await self._open_chat(chat_id)
        self.check_may_speak(chat, agent)
        return await self._append(chat.id, EventKind.NOTE, _author(agent), text, origin,
                                  internal=True, client_msg_id=origin.event_id)

    async def edit(self, chat_id: str, agent: AgentConfig, origin: Origin, target_client_id: str,
                   text: str) -> ChatEvent | None:
        """Platform edits name the original by its platform event id, which was the client message id."""
        return await self._follow_up(chat_id, agent, origin, target_client_id, EventKind.EDITED, text)

    async def delete(self, chat_id: str, agent: AgentConfig, origin: Origin, target_client_id: str) -> ChatEvent | None:
        return await self._follow_up(chat_id, agent, origin, target_client_id, EventKind.DELETED, "")

    async def visited(self, chat: Chat, visit: Visit) -> ChatEvent:
        """The customer's page (or what their browser tells) changed while the chat is open: the chat keeps
        the new visit and its CSR thread hears of it, where the context card follows."""
        if chat.state == ChatState.CLOSED:
            raise ChatClosed(chat.id)
        if not await self._chats.set_visit(chat.id, visit):
            raise UnknownChat(chat.id)
        return await self._context_changed(chat.id, "page")

    async def change_tags(self, chat_id: str, agent: AgentConfig, add: Sequence[str],
                          remove: Sequence[str] = ()) -> TagChange:
        """Files an open chat under tags (normalised by the caller: bridge.domain.tags) or takes tags off; only
        its CSR or a supervisor of its queue may. The thread hears of a change; the customer never does."""
        chat = await self.open_chat_for(chat_id, agent)
        change = await self._chats.change_tags(chat.id, list(add), list(remove), MAX_TAGS)
        if change.status == "full":
            raise TooManyTags(chat.id)
        if change.status == "closed":
            raise ChatClosed(chat.id)
        if change.status == "missing":
            raise UnknownChat(chat.id)
        if change.status == "changed":
            await self._append(chat.id, EventKind.TAGGED, _author(agent), _tag_text(change), Origin(platform="core"),
                               internal=True,
                               data={"added": change.added, "removed": change.removed, "tags": change.tags})
        return change

    async def _context_changed(self, chat_id: str, why: str) -> ChatEvent:
        return await self._append(chat_id, EventKind.CONTEXT, None, "", Origin(platform="core"), internal=True,
                                  data={"why": why})

    async def agent_reaction(self, chat_id: str, agent: AgentConfig, origin: Origin, target: str, key: str,
                             removed: bool = False) -> ChatEvent:
        """A CSR's reaction (or its removal) on a message the customer sees; `target` is its event id."""
        chat = await self.open_chat_for(chat_id, agent)
        await self._reaction_target(chat.id, target, {AuthorKind.CUSTOMER, AuthorKind.AGENT})
        return await self._append(chat.id, EventKind.REACTION, _author(agent), "", origin,
                                  data=_reaction(target, key, removed), client_msg_id=origin.event_id)

    async def customer_reaction(self, chat: Chat, target: str, key: str, removed: bool = False) -> ChatEvent:
        """The customer's reaction (or its removal) on a CSR's message; `chat` as the caller just read it."""
        if chat.state == ChatState.CLOSED:
            raise ChatClosed(chat.id)
        await self._reaction_target(chat.id, target, {AuthorKind.AGENT})
        author = Author(kind=AuthorKind.CUSTOMER, id=chat.id, name=chat.customer.name)
        return await self._append(chat.id, EventKind.REACTION, author, "", CUSTOMER_ORIGIN,
                                  data=_reaction(target, key, removed))

    async def _reaction_target(self, chat_id: str, target: str, authors: set[AuthorKind]) -> ChatEvent:
        """The message a reaction goes on: one of this chat's messages the customer sees, by one of `authors`."""
        event = await self._stream.get(chat_id, target) if valid_event_id(target) and "-" in target else None
        if event is None or event.kind != EventKind.MESSAGE or not event.customer_visible \
                or event.author.kind not in authors:
            raise BadReaction("a reaction goes on a message of this chat that the customer sees")
        return event

    async def notice(self, chat_id: str, text: str, data: dict[str, object] | None = None) -> ChatEvent:
        chat = await self._get(chat_id)
        return await self._append(chat.id, EventKind.NOTICE, None, text, Origin(platform="core"), data=data or {})

    async def staff_notice(self, chat_id: str, text: str, data: dict[str, object] | None = None,
                           attachments: list[Attachment] | None = None) -> ChatEvent:
        """Text (and files, e.g. a transcript) for the chat's CSR thread only; the customer never gets it.

        RQ jobs use it: they hold no platform client, and delivery posts the event like any other.
        """
        chat = await self._get(chat_id)
        return await self._append(chat.id, EventKind.NOTICE, None, text, Origin(platform="core"),
                                  attachments=attachments or [], data=data or {}, internal=True)

    async def suggestion_card(self, chat_id: str, position: int, title: str, data: dict[str, object]) -> ChatEvent:
        """An article offered to the customer while the bot has the chat; one per position, however often asked."""
        return await self._append(chat_id, EventKind.CARD, None, title, Origin(platform="core"), data=data,
                                  client_msg_id=f"suggest:{position}")

    async def suggested_replies(self, chat_id: str, for_event: str, text: str,
                                data: dict[str, object]) -> ChatEvent:
        """Replies proposed to the CSR (internal) for one customer message; the first of several serve
        processes proposing them for the same message wins."""
        return await self._append(chat_id, EventKind.NOTICE, None, text, Origin(platform="core"), data=data,
                                  internal=True, client_msg_id=f"suggest:{for_event}")

    async def case_recorded(self, chat_id: str, agent: AgentConfig, reference: str, text: str,
                            data: dict[str, object]) -> ChatEvent:
        """A filed case, in full for staff (internal); once per case reference."""
        return await self._append(chat_id, EventKind.CASE, _author(agent), text, Origin(platform="core"), data=data,
                                  internal=True, client_msg_id=f"case:{reference}")

    async def rate(self, chat: Chat, score: int, comment: str) -> ChatEvent:
        """The customer's rating of an ended chat (`chat` as the caller just read it); once per chat."""
        if chat.state != ChatState.CLOSED:
            raise ChatNotEnded(chat.id)
        author = Author(kind=AuthorKind.CUSTOMER, id=chat.id, name=chat.customer.name)
        appended = await self._stream.append(_event(chat.id, EventKind.RATING, author, "", CUSTOMER_ORIGIN,
                                                    data={"score": score, "comment": comment},
                                                    client_msg_id=RATING_ID))
        if not appended.created:
            raise AlreadyRated(chat.id)
        return appended.event

    async def escalate(self, chat_id: str) -> None:
        await self._open_chat(chat_id)
        await self._routing.escalate(chat_id)

    async def close(self, chat_id: str, reason: str, by: str) -> None:
        await self._open_chat(chat_id)
        await self._routing.close(chat_id, reason, by)

    @staticmethod
    def check_may_speak(chat: Chat, agent: AgentConfig) -> None:
        if chat.agent_id == agent.id and chat.state == ChatState.ACTIVE:
            return
        if Role(agent.role).at_least(Role.SUPERVISOR) and (not agent.supervises or chat.queue in agent.supervises):
            return
        if chat.state == ChatState.MESSAGE:
            raise Unclaimed(f"chat {chat.id} is a left message nobody has claimed")
        raise NotYours(f"chat {chat.id} is not yours")

    async def _follow_up(self, chat_id: str, agent: AgentConfig, origin: Origin, target_client_id: str,
                         kind: EventKind, text: str) -> ChatEvent | None:
        chat = await self.open_chat_for(chat_id, agent)
        target = await self._stream.find_by_client_id(chat_id, target_client_id)
        if target is None:
            return None
        return await self._append(chat.id, kind, _author(agent), text, origin, data={"target": target},
                                  client_msg_id=origin.event_id)

    async def _get(self, chat_id: str) -> Chat:
        chat = await self._chats.get(chat_id)
        if chat is None:
            raise UnknownChat(chat_id)
        return chat

    async def open_chat_for(self, chat_id: str, agent: AgentConfig) -> Chat:
        """The open chat, once `agent` may speak in it; adapters ask before a slow step such as fetching a file."""
        chat = await self._open_chat(chat_id)
        self.check_may_speak(chat, agent)
        return chat

    async def _open_chat(self, chat_id: str) -> Chat:
        chat = await self._get(chat_id)
        if chat.state == ChatState.CLOSED:
            raise ChatClosed(chat_id)
        return chat

    async def _append(self, chat_id: str, kind: EventKind, author: Author | None, text: str, origin: Origin,
                      **extra: object) -> ChatEvent:
        return (await self._stream.append(_event(chat_id, kind, author, text, origin, **extra))).event


def _event(chat_id: str, kind: EventKind, author: Author | None, text: str, origin: Origin,
           **extra: object) -> ChatEvent:
    fields: dict[str, object] = {"chat_id": chat_id, "kind": kind, "ts": now(), "text": text, "origin": origin}
    if author is not None:
        fields["author"] = author
    return ChatEvent.model_validate({**fields, **extra})


def _reaction(target: str, key: str, removed: bool) -> dict[str, object]:
    cleaned = clean_text(key).strip()
    if not cleaned or cleaned != key or len(key) > REACTION_KEY_CHARS or any(ch.isspace() for ch in key):
        raise BadReaction(f"a reaction is an emoji or a :name: of at most {REACTION_KEY_CHARS} characters")
    return {"target": target, "key": key, "removed": removed}


def _tag_text(change: TagChange) -> str:
    """The event's plain words, for readers that don't draw tags themselves (a staff transcript)."""
    parts = [f"{verb}: {', '.join(tags)}" for verb, tags in (("Tagged", change.added), ("Untagged", change.removed))
             if tags]
    return "; ".join(parts)


def _author(agent: AgentConfig) -> Author:
    return Author(kind=AuthorKind.AGENT, id=agent.id, name=agent.display_name)
