"""A CSR-side surface that records what the core asks of it; for core tests only, never for adapters."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from bridge.config.agents import AgentConfig
from bridge.domain.chat import Chat
from bridge.domain.events import ChatEvent
from bridge.ports import OfferView, ThreadRef


@dataclass
class RecordingSurface:
    platform: str = "test"
    threads: list[ThreadRef] = field(default_factory=list)
    delivered: list[ChatEvent] = field(default_factory=list)
    offers: list[tuple[str, OfferView]] = field(default_factory=list)
    notices: list[tuple[str, str]] = field(default_factory=list)
    fail_next: int = 0
    merges: bool = False
    """Carry every following event in the same post, as Slack does with a customer's burst."""
    retried: list[str] = field(default_factory=list)
    posts: list[list[str]] = field(default_factory=list)
    """Event ids per post made."""

    def reaches(self, agent: AgentConfig) -> bool:
        return True

    async def show_offer(self, agent: AgentConfig, view: OfferView) -> str:
        self.offers.append(("show", view))
        return f"card-{view.offer.id}"

    async def update_offer(self, agent: AgentConfig, view: OfferView, ref: str) -> None:
        self.offers.append(("update", view))

    async def open_thread(self, chat: Chat, agent: AgentConfig | None) -> ThreadRef:
        ref = ThreadRef(self.platform, f"room-{chat.queue}", f"root-{chat.id}-{len(self.threads)}")
        self.threads.append(ref)
        return ref

    async def deliver(self, thread: ThreadRef, chat: Chat, event: ChatEvent, following: Sequence[ChatEvent] = (),
                      retry: bool = False) -> str | None:
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("platform unavailable")
        self.retried += [event.id] if retry else []
        carried = [event, *following] if self.merges else [event]
        self.delivered += carried
        self.posts.append([e.id for e in carried])
        return carried[-1].id

    async def notify_agent(self, agent: AgentConfig, text: str) -> None:
        self.notices.append((agent.id, text))
