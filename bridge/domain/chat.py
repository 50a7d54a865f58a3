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


class Customer(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: CleanStr = Field(min_length=1, max_length=80)
    email: CleanStr = Field("", max_length=254)
    attributes: Annotated[dict[str, str], BeforeValidator(clean_tree)] = Field(default_factory=dict)
    language: str = Field("", pattern=r"^([a-z]{2,3})?$")
    """The language the customer reads (a shipped catalog's code), chosen at the chat's start; empty: the
    config's default. Everything worded for them later (notices, transcripts, emails) uses it."""


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
