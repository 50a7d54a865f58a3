"""The composition of the running bridge: one object holding every service, built by `bootstrap`."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from redis.asyncio import Redis

from bridge.attachments import AttachmentStore
from bridge.chats import ChatRepository
from bridge.config.agents import AgentConfig
from bridge.config.root import BridgeConfig
from bridge.events.delivery import ChatDelivery
from bridge.events.feed import ChangeFeed
from bridge.events.shards import Shards
from bridge.events.stream import ChatStream
from bridge.events.threads import ThreadStore
from bridge.jobs import Jobs
from bridge.keys import Keys
from bridge.metrics import Metrics
from bridge.plugins import Adapter
from bridge.ports import AgentSurface, Core
from bridge.roster import Roster
from bridge.service import ChatService

if TYPE_CHECKING:
    from bridge.commands.bus import CommandBus
    from bridge.events.notices import Notices
    from cases.service import CaseService
    from cobrowse.service import Cobrowse
    from knowledge.base import KnowledgeBase
    from routing.offers import OfferPresenter
    from routing.router import Router
    from transcripts.service import Transcripts


@dataclass
class BridgeApp:
    config: BridgeConfig
    config_path: str
    redis: Redis
    redis_url: str
    keys: Keys
    chats: ChatRepository
    stream: ChatStream
    threads: ThreadStore
    feed: ChangeFeed
    attachments: AttachmentStore
    router: "Router"
    jobs: Jobs
    service: ChatService
    delivery: ChatDelivery
    metrics: Metrics
    shards: Shards
    roster: Roster
    surfaces: dict[str, AgentSurface] = field(default_factory=dict)
    adapters: dict[str, Adapter] = field(default_factory=dict)
    commands: "CommandBus" = field(init=False)
    """Set by bootstrap right after: the bus needs the app it serves."""
    core: Core = field(init=False)
    """What adapters get of all this (bridge/ports.py)."""
    knowledge: "KnowledgeBase" = field(init=False)
    offers: "OfferPresenter" = field(init=False)
    notices: "Notices" = field(init=False)
    transcripts: "Transcripts" = field(init=False)
    cases: "CaseService" = field(init=False)
    cobrowse: "Cobrowse" = field(init=False)

    def agent(self, agent_id: str) -> AgentConfig | None:
        return self.roster.by_id(agent_id)

    def agent_by_platform_id(self, platform: str, user_id: str) -> AgentConfig | None:
        return self.roster.by_platform_id(platform, user_id)
