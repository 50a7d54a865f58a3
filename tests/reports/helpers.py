"""A CSR-side surface that records later replies (reports), for core tests of the reply outbox."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from bridge.commands.replies import Reply
from bridge.config.agents import AgentConfig
from bridge.domain.chat import Chat
from bridge.domain.events import ChatEvent
from bridge.ports import OfferView, ReadAlong, ThreadRef


@dataclass
class RecordingSupervisorSurface:
    platform: str = "slack"
    replies: list[tuple[str, Reply, str, str, str]] = field(default_factory=list)
    """(agent id, reply, key, conversation, thread)."""
    fail_next: int = 0

    def reaches(self, agent: AgentConfig) -> bool:
        return bool(agent.slack_user_id)

    async def show_offer(self, agent: AgentConfig, view: OfferView) -> str:
        return "card"

    async def update_offer(self, agent: AgentConfig, view: OfferView, ref: str) -> None:
        return None

    async def open_thread(self, chat: Chat, agent: AgentConfig | None) -> ThreadRef:
        return ThreadRef(self.platform, "C1", f"root-{chat.id}")

    async def deliver(self, thread: ThreadRef, chat: Chat, event: ChatEvent, following: Sequence[ChatEvent] = (),
                      retry: bool = False) -> str | None:
        return None

    async def notify_agent(self, agent: AgentConfig, text: str) -> None:
        return None

    async def invite_supervisor(self, thread: ThreadRef, chat: Chat, agent: AgentConfig) -> ReadAlong:
        return ReadAlong(f"https://example.slack.com/archives/{thread.conversation}", "member")

    async def send_reply(self, agent: AgentConfig, reply: Reply, key: str, conversation: str = "",
                         thread: str = "") -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("platform unavailable")
        self.replies.append((agent.id, reply, key, conversation, thread))
