"""The core's two ports: what it needs from a CSR-side platform, and what it offers every adapter.

A platform adapter implements `AgentSurface`; the core never imports a platform SDK. Adapters in turn
take `Core`, built by the bootstrap: the part of the core they may call, and nothing else.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from bridge.attachments import AttachmentStore
from bridge.chats import ChatRepository
from bridge.commands.context import CommandContext
from bridge.commands.replies import Reply
from bridge.config.agents import AgentConfig
from bridge.config.root import BridgeConfig
from bridge.domain.chat import Chat
from bridge.domain.events import ChatEvent
from bridge.domain.offer import Offer
from bridge.events.feed import ChangeFeed
from bridge.events.receipts import ReadMarks
from bridge.events.typing import TypingSignals
from bridge.keys import Keys
from bridge.metrics import Metrics
from bridge.platform_posts import PlatformPosts
from bridge.redis_batch import RedisBatch
from bridge.roster import Roster
from bridge.service import ChatService


@dataclass(frozen=True)
class ThreadRef:
    """A chat's thread on one platform: Slack channel + root ts, or Matrix room + root event id."""

    platform: str
    conversation: str
    thread_id: str


@dataclass(frozen=True)
class OfferView:
    """What a CSR needs to decide on an offer."""

    offer: Offer
    chat: Chat
    queue_display_name: str
    waited_seconds: float
    first_message: str


class AgentSurface(Protocol):
    platform: str

    def reaches(self, agent: AgentConfig) -> bool:
        """True when this agent has an identity on this platform."""
        ...

    async def show_offer(self, agent: AgentConfig, view: OfferView) -> str:
        """Posts the offer card; returns a reference the adapter can later update."""
        ...

    async def update_offer(self, agent: AgentConfig, view: OfferView, ref: str) -> None:
        """Rewrites the card to its final state (accepted, declined, expired, taken, withdrawn)."""
        ...

    async def open_thread(self, chat: Chat, agent: AgentConfig | None) -> ThreadRef:
        """Posts the chat's header in its queue's channel or room; everything else goes under it."""
        ...

    async def deliver(self, thread: ThreadRef, chat: Chat, event: ChatEvent, following: Sequence[ChatEvent],
                      retry: bool) -> str | None:
        """Renders one chat event into the thread; raising leaves it to be retried, in order.

        `following`: the events after it that are already read, which a platform may merge into the same
        post; it returns the id of the last event the post carried (None: just this one). `retry`: an
        earlier attempt at this event may have reached the platform, so look before posting it again.
        """
        ...

    async def notify_agent(self, agent: AgentConfig, text: str) -> None:
        """A private notice to one agent (missed offers, a declined transfer)."""
        ...


@dataclass(frozen=True)
class ReadAlong:
    """How a supervisor follows a chat now: a link to its thread, and what the platform did for them."""

    link: str
    how: str
    """"member" (already in the channel or room), "copy" (a live copy goes to their DM) or "invited"."""


@runtime_checkable
class SupervisorSurface(Protocol):
    """Optional for a platform: supervisors reading along, and replies that finish after their command."""

    async def invite_supervisor(self, thread: ThreadRef, chat: Chat, agent: AgentConfig) -> ReadAlong:
        """Lets a supervisor read the chat's thread from now on."""
        ...

    async def send_reply(self, agent: AgentConfig, reply: Reply, key: str, conversation: str = "",
                         thread: str = "") -> None:
        """A command's reply that comes later (a report): private ones in the agent's DM, public ones in
        `conversation` (and `thread`). `key` is unique per reply, so a platform may drop a repeat."""
        ...


class EventReader(Protocol):
    """A chat's event stream, read-only: `ChatService` is its one writer."""

    async def get(self, chat_id: str, event_id: str) -> ChatEvent | None: ...

    async def find_by_client_id(self, chat_id: str, client_msg_id: str) -> str | None: ...

    def find_by_client_id_in(self, pipe: Pipeline, chat_id: str, client_msg_id: str) -> None: ...

    async def read_after(self, chat_id: str, after: str = "0", count: int = 500) -> list[ChatEvent]: ...

    async def read_all(self, chat_id: str) -> list[ChatEvent]: ...

    async def last_id(self, chat_id: str) -> str: ...

    async def appended_after(self, chat_id: str, after: str) -> ChatEvent | None: ...


class ThreadLookup(Protocol):
    """Which chat a platform thread belongs to, and the other way round."""

    async def chat_of(self, platform: str, conversation: str, thread_id: str) -> str | None: ...

    async def get(self, chat: Chat) -> ThreadRef | None: ...

    async def all(self, chat_id: str) -> dict[str, ThreadRef]: ...


class CommandRunner(Protocol):
    async def run(self, text: str, ctx: CommandContext) -> Reply:
        """Parses, checks and runs a command as a platform received it; every outcome is a reply."""
        ...


@dataclass(frozen=True)
class AdapterStore:
    """Redis for an adapter's own state (sync tokens, paced posts, seen event ids), under the key templates
    of bridge/keys.py."""

    redis: Redis
    keys: Keys
    batch: RedisBatch
    """The process' group commit (bridge/redis_batch.py), for pipelines on the hot path."""


@dataclass(frozen=True)
class Core:
    """What an adapter may use of the core; built by the bootstrap, so every call an adapter makes can be
    followed to its implementation."""

    config: BridgeConfig
    service: ChatService
    commands: CommandRunner
    agents: Roster
    chats: ChatRepository
    events: EventReader
    threads: ThreadLookup
    feed: ChangeFeed
    attachments: AttachmentStore
    metrics: Metrics
    store: AdapterStore
    typing: TypingSignals
    """Live 'is typing' per side: the widget sets the customer's, a CSR platform that sees typing the agent's."""
    reads: ReadMarks
    """Live read marks per side, for "Seen" in the widget and receipts in a thread."""
    posts: PlatformPosts
    """Where every post an adapter made for a chat went, so a customer's data can be erased there too."""
