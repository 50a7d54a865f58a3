"""Who may run the supervisor commands: supervisors and admins; a supervisor only on their queues.
Every refusal is a clear text on both platforms and is logged with who tried."""

import logging
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bridge.commands.replies import Table, Text
from tests.routing.helpers import available, escalated
from tests.supervision.helpers import boot, refusal, run

SUPERVISOR_COMMANDS = ["queues", "agents", "monitor abc123", "reassign abc123 @bob", "presence @bob away",
                       "broadcast general hello", "report 7d"]


@pytest.mark.parametrize("command", SUPERVISOR_COMMANDS)
@pytest.mark.parametrize("platform", ["slack", "matrix"])
async def test_a_csr_is_refused_and_the_attempt_logged(tmp_path: Path, redis: Redis, redis_url: str, command: str,
                                                      platform: str, caplog: pytest.LogCaptureFixture) -> None:
    app = boot(tmp_path, redis, redis_url)
    caplog.set_level(logging.WARNING)
    reply = await run(app, "alice", f"csr {command}", platform)
    name = command.split()[0]
    refusal(reply, f"`csr {name}` is for the supervisor role and up.")
    assert any(f"command {name} refused: alice lacks role supervisor" in r.getMessage() for r in caplog.records)


async def test_someone_off_the_roster_is_refused(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    from bridge.commands.context import CommandContext

    app = boot(tmp_path, redis, redis_url)
    reply = await app.commands.run("csr queues", CommandContext("slack", "UNOBODY", None))
    refusal(reply, "not on this team's roster")


async def test_a_csr_sees_only_their_own_chats(tmp_path: Path, redis: Redis, redis_url: str,
                                               caplog: pytest.LogCaptureFixture) -> None:
    app = boot(tmp_path, redis, redis_url)
    await available(app, "alice", "bob")
    mine = await escalated(app, name="Ann")
    theirs = await escalated(app, name="Ben")
    for chat in (mine, theirs):
        offer = (await app.router.state.chat_offer_ids(chat.id))[0]
        who = (await app.router.state.offer(offer)).agent_id
        await run(app, who, f"csr accept {offer}")
    owner = {c.id: (await app.chats.get(c.id)).agent_id for c in (mine, theirs)}
    reply = await run(app, "alice", "csr chats")
    assert isinstance(reply, Table) and reply.title == "Your open chats"
    assert [r[0] for r in reply.rows] == [c for c, a in owner.items() if a == "alice"]
    caplog.set_level(logging.WARNING)
    refusal(await run(app, "alice", "csr chats general"), "Only supervisors list a queue's chats")
    assert any("alice (csr) may not act on queue general" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("command, words", [
    ("csr queues billing", "You don't supervise Billing"),
    ("csr agents billing", "You don't supervise Billing"),
    ("csr chats tech", "You don't supervise Tech support"),
    ("csr broadcast billing Hello all", "You don't supervise Billing"),
    ("csr report 30d billing", "You don't supervise Billing"),
    ("csr presence @bob offline", "Bob works none of the queues you supervise."),
])
async def test_a_supervisor_is_limited_to_their_queues(tmp_path: Path, redis: Redis, redis_url: str, command: str,
                                                       words: str, caplog: pytest.LogCaptureFixture) -> None:
    app = boot(tmp_path, redis, redis_url, agents=_roster_with_bob_in_tech_only())
    caplog.set_level(logging.WARNING)
    refusal(await run(app, "gus", command), words)
    assert any("supervision refused: gus (supervisor)" in r.getMessage() for r in caplog.records)


async def test_a_scoped_supervisor_cannot_touch_chats_of_other_queues(tmp_path: Path, redis: Redis,
                                                                     redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url)
    await available(app, "alice")
    chat = await escalated(app, queue="billing", name="Bea")
    for command in (f"csr monitor {chat.id}", f"csr reassign {chat.id} @carol", f"csr reassign {chat.id} general"):
        refusal(await run(app, "gus", command), "That chat is in Billing, which you don't supervise.")
    general = await escalated(app, queue="general", name="Gil")
    refusal(await run(app, "gus", f"csr reassign {general.id} billing"), "You don't supervise Billing")
    assert (await app.chats.get(general.id)).queue == "general"


async def test_scoped_views_show_only_the_supervised_queues(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url)
    queues = await run(app, "gus", "csr queues")
    assert isinstance(queues, Table) and [r[0] for r in queues.rows] == ["General"]
    everything = await run(app, "ada", "csr queues")
    assert isinstance(everything, Table) and [r[0] for r in everything.rows] == ["General", "Billing", "Tech support"]
    unknown = await run(app, "ada", "csr queues nope")
    assert isinstance(unknown, Text) and unknown.error and "There is no queue `nope`" in unknown.text


def _roster_with_bob_in_tech_only() -> list[dict]:
    from tests.supervision.helpers import roster

    return [{**a, "queues": ["tech"]} if a["id"] == "bob" else a for a in roster()]
