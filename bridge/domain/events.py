"""Events of a chat: one ordered stream per chat that both sides read from.

Every event carries its author and origin so an adapter never echoes a message back
where it came from, and `internal` events (notes) never reach the customer.
"""

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from bridge.text import CleanStr, clean_tree


class EventKind(StrEnum):
    MESSAGE = "message"
    NOTE = "note"  # internal: CSRs and supervisors only
    CARD = "card"  # article or page push: data has title, summary, url
    NOTICE = "notice"  # system text for both sides
    TYPING = "typing"
    EDITED = "edited"  # data: target (event id), text
    DELETED = "deleted"  # data: target (event id)
    REACTION = "reaction"  # data: target (event id), key (emoji or :name:), removed (bool)
    # routing
    QUEUED = "queued"
    POSITION = "position"  # data: position, estimated_wait
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    MISSED = "missed"
    TRANSFERRED = "transferred"
    OVERFLOWED = "overflowed"
    CLOSED = "closed"
    RATING = "rating"
    CASE = "case"
    CONTEXT = "context"  # internal: the customer's context changed (the chat started, they moved page)
    TAGGED = "tagged"  # internal: data: added, removed, tags (all of them now)
    OUTCOME = "outcome"  # internal, just before CLOSED: data: outcome, by


CUSTOMER_HIDDEN = {EventKind.NOTE, EventKind.OFFERED, EventKind.DECLINED, EventKind.MISSED, EventKind.CONTEXT,
                   EventKind.TAGGED, EventKind.OUTCOME}
"""Kinds the customer never sees, whatever `internal` says."""


class AuthorKind(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


class Author(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: AuthorKind
    id: str = ""
    name: CleanStr = ""


SYSTEM = Author(kind=AuthorKind.SYSTEM, name="CSR Bridge")


class Origin(BaseModel):
    """Where an event entered the bridge; adapters skip events that came from their own place."""

    model_config = ConfigDict(frozen=True)

    platform: str  # widget, slack, matrix, core
    conversation: str = ""
    thread: str = ""
    event_id: str = ""


class Attachment(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    filename: CleanStr = Field(max_length=255)
    content_type: str
    size: int = Field(ge=0)


class ChatEvent(BaseModel):
    """`id` is the Redis stream id, assigned on append; empty before. Frozen: one decoded event is shared by
    every reader in the process (see `bridge.events.stream.DecodedEvents`)."""

    model_config = ConfigDict(frozen=True)

    id: str = ""
    chat_id: str
    kind: EventKind
    ts: float
    author: Author = SYSTEM
    text: CleanStr = ""
    attachments: list[Attachment] = Field(default_factory=list)
    data: Annotated[dict[str, Any], BeforeValidator(clean_tree)] = Field(default_factory=dict)
    origin: Origin = Origin(platform="core")
    client_msg_id: str = ""
    internal: bool = False

    @property
    def customer_visible(self) -> bool:
        return not self.internal and self.kind not in CUSTOMER_HIDDEN
