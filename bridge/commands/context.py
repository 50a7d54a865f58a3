"""Who runs a command, from where, about which chat."""

from dataclasses import dataclass

from bridge.config.agents import AgentConfig
from bridge.domain.agent import Role


@dataclass(frozen=True)
class CommandContext:
    platform: str
    user_id: str
    """The caller's platform id (Slack U..., Matrix @user:server)."""
    agent: AgentConfig | None
    """The roster entry for that id; None for people not on the roster."""
    chat_id: str = ""
    """Known when the command was typed inside a chat's thread or pressed on its header."""
    conversation: str = ""
    thread_id: str = ""

    @property
    def role(self) -> Role | None:
        return Role(self.agent.role) if self.agent else None
