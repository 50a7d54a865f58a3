"""Small steps the routing tests share: CSRs going available, chats escalated, commands run."""

from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from bridge.app import BridgeApp
from bridge.bootstrap import bootstrap
from bridge.commands.context import CommandContext
from bridge.commands.replies import Reply
from bridge.domain.agent import Presence
from bridge.domain.chat import Chat, Customer
from bridge.domain.events import EventKind
from bridge.domain.offer import Offer
from testkit.configs import make_config

SLACK_ON = {"enabled": True, "bot_token": "xoxb-test", "signing_secret": "test-secret",
            "channels": {"general": "CGENERAL", "billing": "CBILLING", "tech": "CTECH"}}
"""Slack enabled (no adapter runs in these tests): the roster's CSRs are reachable, left messages show there."""


def app_with(tmp_path: Path, redis: Redis, redis_url: str, config_path: str = "", **overrides: Any) -> BridgeApp:
    """An app on a changed test config (queues or agents replaced, routing settings)."""
    return bootstrap(make_config(tmp_path, redis_url, **overrides), redis, redis_url, config_path)


async def available(app: BridgeApp, *agent_ids: str) -> None:
    for agent_id in agent_ids:
        agent = app.agent(agent_id)
        assert agent is not None
        await app.router.set_presence(agent, Presence.AVAILABLE)


async def signed_in(app: BridgeApp, *agent_ids: str) -> None:
    """Signed in but away: someone who could come, so escalated chats wait in line instead of leaving a message."""
    for agent_id in agent_ids:
        agent = app.agent(agent_id)
        assert agent is not None
        await app.router.set_presence(agent, Presence.AWAY)


async def escalated(app: BridgeApp, queue: str = "general", name: str = "Ann", priority: int = 0,
                    attributes: dict[str, str] | None = None, first: str = "hello") -> Chat:
    chat = await app.service.start_chat(Customer(name=name, attributes=attributes or {}), "question", queue,
                                        priority, first)
    await app.service.escalate(chat.id)
    fresh = await app.chats.get(chat.id)
    assert fresh is not None
    return fresh


async def offers_of(app: BridgeApp, agent_id: str) -> list[Offer]:
    offers = [await app.router.state.offer(i) for i in await app.router.state.agent_offer_ids(agent_id)]
    return sorted([o for o in offers if o is not None], key=lambda o: o.created_at)


async def all_offers(app: BridgeApp, chat_id: str) -> list[Offer]:
    """Pending offers of one chat."""
    offers = [await app.router.state.offer(i) for i in await app.router.state.chat_offer_ids(chat_id)]
    return [o for o in offers if o is not None]


async def only_offer(app: BridgeApp, agent_id: str) -> Offer:
    offers = await offers_of(app, agent_id)
    assert len(offers) == 1, offers
    return offers[0]


async def chat(app: BridgeApp, chat_id: str) -> Chat:
    found = await app.chats.get(chat_id)
    assert found is not None
    return found


async def kinds(app: BridgeApp, chat_id: str) -> list[EventKind]:
    return [e.kind for e in await app.stream.read_all(chat_id)]


def ctx(app: BridgeApp, agent_id: str, platform: str = "test", chat_id: str = "") -> CommandContext:
    return CommandContext(platform=platform, user_id=f"@{agent_id}:localhost", agent=app.agent(agent_id),
                          chat_id=chat_id)


async def run(app: BridgeApp, agent_id: str, text: str, platform: str = "test", chat_id: str = "") -> Reply:
    return await app.commands.run(text, ctx(app, agent_id, platform, chat_id))


async def expire_now(app: BridgeApp, offer: Offer) -> str:
    """What the deadline timer does, run at the deadline."""
    clock = app.router.clock
    app.router.clock = lambda: offer.deadline + 0.001
    try:
        return (await app.router.expire(offer.id)).status
    finally:
        app.router.clock = clock


class Clock:
    """A routing clock the test moves by hand, starting at the real time (stream ids are real time)."""

    def __init__(self) -> None:
        import time

        self.t = time.time()

    def __call__(self) -> float:
        return self.t

    def tick(self, seconds: float = 1.0) -> float:
        self.t += seconds
        return self.t


def with_clock(app: BridgeApp) -> Clock:
    clock = Clock()
    app.router.clock = clock
    return clock


def queues_with(**changes: dict[str, Any]) -> list[dict[str, Any]]:
    """The base queues with some fields changed, e.g. queues_with(general={"strategy": "broadcast"})."""
    from testkit.configs import base_raw

    return [{**q, **changes.get(q["name"], {})} for q in base_raw()["queues"]]


def agents_with(**changes: dict[str, Any]) -> list[dict[str, Any]]:
    from testkit.configs import base_raw

    return [{**a, **changes.get(a["id"], {})} for a in base_raw()["agents"]]
