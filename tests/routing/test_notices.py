"""Agent notices: a stream with a consumer group; each notice reaches the CSR once, a dead consumer's
pending notices are claimed by another, and a failing platform is retried."""

from bridge.app import BridgeApp
from bridge.config.agents import AgentConfig
from bridge.events.notices import Notices
from tests.support.recording_surface import RecordingSurface


class DownSurface(RecordingSurface):
    """A platform that is down: every notice fails."""

    async def notify_agent(self, agent: AgentConfig, text: str) -> None:
        raise ConnectionError("platform unavailable")


def consumer(app: BridgeApp, name: str, surface: RecordingSurface) -> Notices:
    return Notices(app.redis, app.keys, {surface.platform: surface}, app.agent, consumer=name)


async def test_each_notice_is_delivered_by_one_of_several_processes(app: BridgeApp) -> None:
    one, two = RecordingSurface(), RecordingSurface()
    a, b = consumer(app, "a", one), consumer(app, "b", two)
    await a.ensure_group()
    for i in range(6):
        await app.notices.send("alice", f"notice {i}")
    await a.process_new()
    await b.process_new()
    texts = sorted(t for s in (one, two) for _agent, t in s.notices)
    assert texts == [f"notice {i}" for i in range(6)]
    assert (await app.redis.xpending(app.keys.notices, "notices"))["pending"] == 0


async def test_a_notice_left_by_a_dead_process_is_claimed_by_another(app: BridgeApp) -> None:
    dead = consumer(app, "dead", DownSurface())
    await dead.ensure_group()
    await app.notices.send("bob", "Bob declined your transfer")
    await dead.process_new()  # the platform failed; the notice stays pending on "dead"
    alive_surface = RecordingSurface()
    alive = consumer(app, "alive", alive_surface)
    assert await alive.reclaim(min_idle_ms=0) == 1
    assert alive_surface.notices == [("bob", "Bob declined your transfer")]
    assert (await app.redis.xpending(app.keys.notices, "notices"))["pending"] == 0


async def test_routing_writes_notices_the_consumer_delivers(app: BridgeApp) -> None:
    from tests.routing.helpers import available, escalated, expire_now, only_offer

    surface = RecordingSurface()
    app.surfaces[surface.platform] = surface
    await app.notices.ensure_group()
    await available(app, "alice")
    await escalated(app)
    for _ in range(2):
        await expire_now(app, await only_offer(app, "alice"))
    await app.notices.process_new()
    assert [a for a, _t in surface.notices] == ["alice"]
    assert "set away after 2 missed offers" in surface.notices[0][1]


async def test_notices_for_people_off_the_roster_are_dropped(app: BridgeApp) -> None:
    surface = RecordingSurface()
    n = consumer(app, "x", surface)
    await n.ensure_group()
    await app.notices.send("ghost", "hello")
    await n.process_new()
    assert surface.notices == []
    assert (await app.redis.xpending(app.keys.notices, "notices"))["pending"] == 0
