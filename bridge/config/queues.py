"""Queues: where escalated chats wait and how they are routed."""

from typing import Literal

from pydantic import Field

from bridge.config.base import Section
from bridge.config.hours import HoursConfig

Strategy = Literal["least-busy", "longest-idle", "round-robin", "broadcast"]
NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"


class QueueConfig(Section):
    name: str = Field(pattern=NAME_PATTERN)
    display_name: str = Field(min_length=1, max_length=80)
    skills: list[str] = Field(default_factory=list)
    strategy: Strategy = "least-busy"
    offer_timeout: float = Field(30.0, gt=0, le=3600)
    max_wait: float = Field(600.0, gt=0, le=86400)
    overflow: str = ""
    """Queue a chat moves to after max_wait; empty means the customer is offered to leave a message."""
    target_answer_seconds: float = Field(60.0, gt=0)
    hours: HoursConfig | None = None
    """This queue's business hours; none: the top-level [hours], and with neither the queue never closes."""
    unclaimed_alert_minutes: float = Field(60.0, gt=0, le=7 * 24 * 60)
    """A left message nobody claimed for this long alerts the queue's supervisors."""
