"""The roster: who may take chats, on which platform, with which rights."""

from typing import Literal

from pydantic import Field

from bridge.config.base import Section
from bridge.config.queues import QueueConfig

Role = Literal["csr", "supervisor", "admin"]


class AgentConfig(Section):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,39}$")
    display_name: str = Field(min_length=1, max_length=80)
    role: Role = "csr"
    slack_user_id: str = Field("", pattern=r"^$|^[UW][A-Z0-9]{2,}$")
    matrix_user_id: str = Field("", pattern=r"^$|^@[^:\s]+:\S+$")
    queues: list[str] = Field(default_factory=list)
    skills: list[str] = Field(default_factory=list)
    capacity: int | None = Field(None, ge=1, le=50)
    """Open chats at once; empty takes routing.default_capacity."""
    supervises: list[str] = Field(default_factory=list)
    """Queues a supervisor may act on; empty means all."""

    def can_take(self, queue: QueueConfig) -> bool:
        """On the roster for the queue, with every skill it needs."""
        return queue.name in self.queues and set(queue.skills) <= set(self.skills)
