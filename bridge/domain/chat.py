"""A chat: one customer's conversation, from the first message to the archive."""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ChatState(StrEnum):
    BOT = "bot"  # self-service, before escalation
    WAITING = "waiting"  # in a queue, nobody offered
    OFFERED = "offered"  # an offer is pending
    ACTIVE = "active"  # a CSR owns it
    MESSAGE = "message"  # nobody came: the customer left a message for later
    CLOSED = "closed"


class Customer(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=80)
    email: str = Field("", max_length=254)
    attributes: dict[str, str] = Field(default_factory=dict)


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
    close_reason: str = ""
