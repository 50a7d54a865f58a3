"""What is happening right now, read from routing's state in Redis for the supervisor views.

Reads only (every change goes through the routing scripts). Counts that need history (answered
within target in the last hour, missed offers today) come from the routing event feed.
"""

from collections import Counter
from dataclasses import dataclass

from bridge.chats import ChatRepository
from bridge.config.agents import AgentConfig
from bridge.config.root import BridgeConfig
from bridge.domain.agent import Presence
from bridge.domain.chat import Chat, ChatState
from bridge.hours import Status, status_of
from reports.feed import RoutingFeed
from routing.state import RoutingState

HOUR = 3600.0
OPEN_STATES = (ChatState.WAITING, ChatState.OFFERED, ChatState.ACTIVE, ChatState.MESSAGE)


@dataclass(frozen=True)
class QueueNow:
    name: str
    display: str
    waiting: int
    offers: int
    longest_wait: float
    available: int
    busy: int
    away: int
    answered: int
    within_target: int
    """Of the chats answered in the last hour, how many within the queue's target."""
    hours: Status
    """Open or closed by its business hours now, and when it opens."""
    messages: int
    """Left messages nobody has claimed yet."""


@dataclass(frozen=True)
class AgentNow:
    agent: AgentConfig
    presence: Presence
    since: float
    """When the presence was set; 0 when unknown."""
    load: int
    capacity: int
    offers: int
    chat_ids: tuple[str, ...]
    missed_today: int


@dataclass(frozen=True)
class ChatNow:
    chat: Chat
    wait: float | None
    duration: float | None


def _now(c: Chat, now: float) -> ChatNow:
    wait = None
    if c.escalated_at and c.state in (ChatState.WAITING, ChatState.OFFERED):
        wait = now - c.escalated_at
    elif c.escalated_at and c.state == ChatState.ACTIVE and c.accepted_at >= c.escalated_at:
        wait = c.accepted_at - c.escalated_at
    duration = now - c.accepted_at if c.state == ChatState.ACTIVE and c.accepted_at else None
    return ChatNow(c, wait, duration)


def _urgency(n: ChatNow) -> tuple[int, float]:
    """Waiting customers first (longest wait first), then active chats (longest first), then messages."""
    if n.chat.state in (ChatState.WAITING, ChatState.OFFERED):
        return 0, -(n.wait or 0.0)
    if n.chat.state == ChatState.ACTIVE:
        return 1, -(n.duration or 0.0)
    return 2, 0.0


class LiveViews:
    """The readers behind `csr queues`, `csr agents` and `csr chats`."""

    def __init__(self, config: BridgeConfig, chats: ChatRepository, state: RoutingState, feed: RoutingFeed) -> None:
        self._config = config
        self._chats = chats
        self._state = state
        self._feed = feed

    async def open_chats(self, queues: list[str], now: float) -> list[ChatNow]:
        """Chats with the team (waiting, offered, active, left as a message) in these queues."""
        chats = await self._chats.get_many(sorted(await self._chats.open_ids()))
        return sorted((_now(c, now) for c in chats if c.state in OPEN_STATES and c.queue in queues), key=_urgency)

    async def agents_now(self, agents: list[AgentConfig], now: float, day_start: float) -> list[AgentNow]:
        missed: Counter[str] = Counter()
        async for entry in self._feed.entries_since(day_start, {"missed"}):
            missed[entry.agent_id] += 1
        out = []
        for agent in agents:
            state = await self._state.agent(agent.id)
            presence = state.presence if state else Presence.OFFLINE
            since = float(state.presence_since or (state.available_since if presence == Presence.AVAILABLE else 0)
                     if state else 0.0)
            out.append(AgentNow(
                agent=agent, presence=presence, since=since, load=state.load if state else 0,
                capacity=state.capacity if state else self._config.capacity_of(agent),
                offers=state.pending if state else 0,
                chat_ids=tuple(await self._state.agent_chat_ids(agent.id)), missed_today=missed[agent.id]))
        return out

    async def queues_now(self, queues: list[str], now: float) -> list[QueueNow]:
        config = self._config
        answered: Counter[str] = Counter()
        within: Counter[str] = Counter()
        targets = {q.name: q.target_answer_seconds for q in config.queues}
        async for e in self._feed.entries_since(now - HOUR, {"accepted"}):
            if "waited" in e.data and not e.data.get("transfer_from") and e.queue in targets:
                answered[e.queue] += 1
                within[e.queue] += float(e.data["waited"]) <= targets[e.queue]
        pending = await self._state.pending_offer_routes()
        offers = Counter(queue for queue, _, _ in pending if queue)
        waiting = {chat for _, chat, transfer in pending if chat and not transfer}
        for name in queues:
            waiting |= set(await self._state.waiting(name))
        chats = [_now(c, now) for c in await self._chats.get_many(sorted(waiting))]
        people = [await self._state.agent(a.id) for a in config.agents]
        left = await self._state.left_messages(queues)
        out = []
        for q in [config.queue(name) for name in queues]:
            in_line = [n for n in chats if n.chat.queue == q.name and n.chat.state in (ChatState.WAITING,
                                                                                         ChatState.OFFERED)]
            waits = [n.wait for n in in_line if n.wait is not None]
            members = [p for p in people if p and q.name in p.queues]
            free = [p for p in members if p.presence == Presence.AVAILABLE and p.load + p.pending < p.capacity]
            out.append(QueueNow(
                name=q.name, display=q.display_name, waiting=len(in_line), offers=offers[q.name],
                longest_wait=max(waits, default=0.0), available=len(free),
                busy=sum(p.presence == Presence.AVAILABLE for p in members) - len(free),
                away=sum(p.presence == Presence.AWAY for p in members),
                answered=answered[q.name], within_target=within[q.name],
                hours=status_of(config.hours_of(q.name), now), messages=left[q.name]))
        return out
