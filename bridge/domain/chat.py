"""A chat: one customer's conversation, from the first message to the archive."""

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from bridge.text import CleanStr, clean_tree


class ChatState(StrEnum):
    BOT = "bot"  # self-service, before escalation
    WAITING = "waiting"  # in a queue, nobody offered
    OFFERED = "offered"  # an offer is pending
    ACTIVE = "active"  # a CSR owns it
    MESSAGE = "message"  # nobody came: the customer left a message for later
    CLOSED = "closed"


Attributes = Annotated[dict[str, str], BeforeValidator(clean_tree)]


class Customer(BaseModel):
    """Who is chatting. Only a verified identity (the host site signed its user id) links chats across
    browsers and has `attributes` that drive routing; what the page claims unsigned stays in `claimed`."""

    model_config = ConfigDict(frozen=True)

    name: CleanStr = Field(min_length=1, max_length=80)
    email: CleanStr = Field("", max_length=254)
    attributes: Attributes = Field(default_factory=dict)
    """Verified attributes (signed identity): shown as verified, used by routing rules."""
    language: str = Field("", pattern=r"^([a-z]{2,3})?$")
    """The language the customer reads (a shipped catalog's code), chosen at the chat's start; empty: the
    config's default. Everything worded for them later (notices, transcripts, emails) uses it."""
    id: str = Field("", max_length=40)
    """The customer's key in the SQL store: `v_...` for a verified user id, `s_...` for one browser session."""
    user_id: CleanStr = Field("", max_length=128)
    """The host site's user id, set only when its signature checked out."""
    verified: bool = False
    claimed: Attributes = Field(default_factory=dict)
    """Attributes the page passed without a valid signature: shown as unverified, never used for routing."""


class Visit(BaseModel):
    """Where the customer is and what they use, as their widget last reported it: the CSR's context card.

    Strings come from the browser, so every one is cleaned and bounded; the card escapes them as it does
    the customer's messages."""

    model_config = ConfigDict(frozen=True)

    page_url: str = Field("", max_length=2000)
    page_title: CleanStr = Field("", max_length=200)
    referrer: str = Field("", max_length=2000)
    user_agent: CleanStr = Field("", max_length=512)
    browser: CleanStr = Field("", max_length=80)
    os: CleanStr = Field("", max_length=80)
    language: CleanStr = Field("", max_length=35)
    time_zone: CleanStr = Field("", max_length=64)
    utc_offset_minutes: int | None = Field(None, ge=-840, le=840)
    """Minutes east of UTC (the browser's clock), so the card can tell the customer's local time."""
    updated_at: float = 0.0


class Chat(BaseModel):
    """The live record kept in Redis; routing changes state/queue/agent atomically."""

    id: str
    customer: Customer
    topic: str
    queue: str
    priority: int = 0
    state: ChatState = ChatState.BOT
    agent_id: str = ""
    platform: str = ""
    """Where the chat's thread lives (slack, matrix), set on accept."""
    created_at: float
    escalated_at: float = 0.0
    accepted_at: float = 0.0
    closed_at: float = 0.0
    claimed_at: float = 0.0
    """When a CSR claimed the chat as a left message (`csr claim`); its replies then go out by email too."""
    close_reason: str = ""
    tags: list[str] = Field(default_factory=list)
    """What the CSRs filed the chat under (`csr tag`), normalised (bridge.domain.tags), in the order added."""
    outcome: str = ""
    """How its CSR said it ended (`csr end CHAT OUTCOME`), one of the configured outcomes; empty: none given."""
    visit: Visit = Field(default_factory=Visit)
    """Kept current while the chat is open (the widget reports page changes)."""
