"""A CSR-side surface that records what the core asks of it; for core tests only, never for adapters."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from bridge.commands.replies import Reply
from bridge.config.agents import AgentConfig
from bridge.domain.chat import Chat
from bridge.domain.events import ChatEvent, EventKind
from bridge.ports import OfferView, ReadAlong, ThreadRef


@dataclass
class RecordingSurface:
    platform: str = "test"
    threads: list[ThreadRef] = field(default_factory=list)
    delivered: list[ChatEvent] = field(default_factory=list)
    """What the thread shows, in order; CONTEXT events go to `contexts`, as real surfaces redraw a card for them."""
    contexts: list[ChatEvent] = field(default_factory=list)
    offers: list[tuple[str, OfferView]] = field(default_factory=list)
    notices: list[tuple[str, str]] = field(default_factory=list)
    fail_next: int = 0
    """Fail this many of the next posts (deliveries and later replies alike)."""
    merges: bool = False
    """Carry every following event in the same post, as Slack does with a customer's burst."""
    retried: list[str] = field(default_factory=list)
    posts: list[tuple[ThreadRef, list[str]]] = field(default_factory=list)
    """(thread, event ids) per post made."""
    replies: list[tuple[str, Reply, str, str, str]] = field(default_factory=list)
    """Later replies sent: (agent id, reply, key, conversation, thread)."""

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
        if event.kind is EventKind.CONTEXT:
            self.contexts.append(event)
            return event.id
        self._maybe_fail()
        self.retried += [event.id] if retry else []
        burst = [event, *following] if self.merges else [event]
        carried = burst[:next((i for i, e in enumerate(burst) if e.kind is EventKind.CONTEXT), len(burst))]
        self.delivered += carried
        self.posts.append((thread, [e.id for e in carried]))
        return carried[-1].id

    async def notify_agent(self, agent: AgentConfig, text: str) -> None:
        self.notices.append((agent.id, text))

    async def invite_supervisor(self, thread: ThreadRef, chat: Chat, agent: AgentConfig) -> ReadAlong:
        return ReadAlong(f"https://{self.platform}.example/{thread.conversation}", "member")

    async def send_reply(self, agent: AgentConfig, reply: Reply, key: str, conversation: str = "",
                         thread: str = "") -> None:
        self._maybe_fail()
        self.replies.append((agent.id, reply, key, conversation, thread))

    def _maybe_fail(self) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("platform unavailable")
