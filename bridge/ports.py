"""What the core needs from a CSR-side platform, and what it offers the customer side.

A platform adapter implements `AgentSurface`; the core never imports a platform SDK.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bridge.commands.replies import Reply
from bridge.config.agents import AgentConfig
from bridge.domain.chat import Chat
from bridge.domain.events import ChatEvent
from bridge.domain.offer import Offer


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
