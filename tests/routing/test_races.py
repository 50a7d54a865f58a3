"""Accept under races: exactly one winner, the others see that the chat is taken."""

import asyncio
import sys
from pathlib import Path

from redis.asyncio import Redis

from bridge.bootstrap import bootstrap, connect_redis
from bridge.domain.agent import Presence
from bridge.domain.chat import ChatState
from testkit.configs import make_config
from tests.routing.helpers import all_offers, chat, escalated

CSRS = 100


def broadcast_config(tmp_path: Path, redis_url: str):  # noqa: ANN201
    agents = [{"id": f"csr{i:03d}", "display_name": f"CSR {i}", "queues": ["general"], "capacity": 1}
              for i in range(CSRS)]
    queues = [{"name": "general", "display_name": "General", "strategy": "broadcast"}]
    return make_config(tmp_path, redis_url, queues=queues, agents=agents, widget={"topics": []},
                       knowledge={"phrases": []})


async def test_100_concurrent_accepts_of_one_broadcast_give_exactly_one_winner(tmp_path: Path, redis: Redis,
                                                                                redis_url: str) -> None:
    config = broadcast_config(tmp_path, redis_url)
    app = bootstrap(config, redis, redis_url)
    for agent in config.agents:
        await app.router.set_presence(agent, Presence.AVAILABLE)
    c = await escalated(app, name="Ann")
    offers = await all_offers(app, c.id)
    assert len(offers) == CSRS
    clients = [connect_redis(redis_url) for _ in range(10)]  # accepts arrive on separate connections
    apps = [bootstrap(config, client, redis_url) for client in clients]
    results = await asyncio.gather(*(apps[i % 10].router.accept(o.id, config.agent(o.agent_id), "test")
                                     for i, o in enumerate(offers)))
    for client in clients:
        await client.aclose()
    statuses = sorted(r.status for r in results)
    assert statuses.count("accepted") == 1 and statuses.count("final") == CSRS - 1
    winner = next(o.agent_id for o, r in zip(offers, results, strict=True) if r.status == "accepted")
    assert {r.get("taken_by") for r in results if r.status == "final"} == {winner}
    owned = await chat(app, c.id)
    assert (owned.state, owned.agent_id) == (ChatState.ACTIVE, winner)
    loads = [(await app.router.state.agent(a.id)) for a in config.agents]
    assert sum(s.load for s in loads) == 1 and sum(s.pending for s in loads) == 0


async def test_100_concurrent_accepts_of_one_offer_from_separate_processes(tmp_path: Path, redis: Redis,
                                                                           redis_url: str) -> None:
    """The same CSR pressing Accept from several devices and processes at once: one accept."""
    from tests.routing.helpers import available, only_offer

    app = bootstrap(make_config(tmp_path, redis_url), redis, redis_url)
    await available(app, "alice")
    c = await escalated(app)
    offer = await only_offer(app, "alice")
    code = ("import asyncio,sys\n"
            "from bridge.bootstrap import bootstrap, connect_redis\n"
            "from testkit.configs import make_config\n"
            "from pathlib import Path\n"
            "async def main():\n"
            "    r = connect_redis(sys.argv[1])\n"
            "    app = bootstrap(make_config(Path(sys.argv[3]), sys.argv[1]), r, sys.argv[1])\n"
            "    accepts = (app.router.accept(sys.argv[2], app.agent('alice'), 'test') for _ in range(25))\n"
            "    res = await asyncio.gather(*accepts)\n"
            "    print(' '.join(x.status for x in res)); await r.aclose()\n"
            "asyncio.run(main())\n")
    procs = [await asyncio.create_subprocess_exec(sys.executable, "-c", code, redis_url, offer.id, str(tmp_path),
                                                  stdout=asyncio.subprocess.PIPE, cwd=str(Path.cwd()))
             for _ in range(4)]
    outs = [(await p.communicate())[0].decode().split() for p in procs]
    statuses = [s for out in outs for s in out]
    assert len(statuses) == 100
    assert statuses.count("accepted") == 1 and statuses.count("final") == 99
    assert (await app.router.state.agent("alice")).load == 1
    assert await app.router.agent_chat_ids("alice") == [c.id]
