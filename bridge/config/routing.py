"""Routing rules that apply to every queue."""

from pydantic import Field

from bridge.config.base import Section


class PriorityRule(Section):
    """A verified customer attribute value that raises a chat's priority, e.g. plan = "enterprise" -> 5, and
    may send the chat to a queue of its own, whose skills then pick the CSRs who are offered it."""

    attribute: str = Field(min_length=1, max_length=64)
    value: str = Field(max_length=200)
    priority: int = Field(ge=0, le=9)
    queue: str = ""
    """When set, a matching chat is escalated to this queue instead of its topic's."""


class RoutingConfig(Section):
    default_capacity: int = Field(2, ge=1, le=50)
    missed_offers_before_away: int = Field(2, ge=1, le=100)
    customer_idle_timeout: float = Field(1800.0, gt=0)
    """Seconds without a customer message after which a chat is closed: from its start, its accept or its
    being left as a message; not while it waits for a CSR."""
    left_message_keep_days: float = Field(30.0, gt=0, le=365)
    """A left message (claimed or not) waits on the team, not the customer: it is closed only after this long
    without a word from the customer."""
    priorities: list[PriorityRule] = Field(default_factory=list)
    """The highest matching rule wins over the topic's priority when it is higher."""
