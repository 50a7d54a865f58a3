"""`csr queues`, `csr agents`, `csr chats` on a known routing state, as tables on both platforms."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from redis.asyncio import Redis

from bridge.commands.replies import Table
from bridge.domain.agent import Presence
from bridge.domain.chat import ChatState
from tests.routing.helpers import (
    SLACK_ON,
    available,
    escalated,
    expire_now,
    only_offer,
    queues_with,
    signed_in,
    with_clock,
)
from tests.supervision.helpers import boot, matrix_rows, run, slack_text


async def _known_state(app):  # noqa: ANN001, ANN202 - the app and its chats
    """alice takes Ann after 20 s, misses Bea's offer once and has it again; Cid waits; bob is away."""
    clock = with_clock(app)
    await available(app, "alice")
    await app.router.set_presence(app.agent("bob"), Presence.AWAY)
    ann = await escalated(app, queue="general", name="Ann")
    clock.tick(20)
    await run(app, "alice", f"csr accept {(await only_offer(app, 'alice')).id}")
    clock.tick(5)
    bea = await escalated(app, queue="billing", name="Bea")
    assert await expire_now(app, await only_offer(app, "alice")) == "expired"
    clock.t = (await only_offer(app, "alice")).created_at
    cid = await escalated(app, queue="general", name="Cid")
    clock.tick(30)
    return clock, ann, bea, cid


async def test_queues_table(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url)
    await _known_state(app)
    reply = await run(app, "sam", "csr queues")
    assert isinstance(reply, Table)
    assert reply.columns == ("Queue", "Waiting", "Longest wait", "Offers out", "Available", "Busy", "Away",
                             "Answered in target (1 h)", "Left messages", "Hours")
    expected = [["General", "1", "<1 min", "0", "0", "1", "1", "100% (1/1)", "0", "open"],
                ["Billing", "1", "1 min", "1", "0", "1", "0", "—", "0", "open"],
                ["Tech support", "0", "—", "0", "0", "0", "1", "—", "0", "open"]]
    assert [list(r) for r in reply.rows] == expected
    assert matrix_rows(reply) == expected
    slack = slack_text(reply)
    assert "Queues now" in slack and "100% (1/1)" in slack and "```" in slack


async def test_queues_table_says_which_queues_are_closed_and_counts_left_messages(
        tmp_path: Path, redis: Redis, redis_url: str) -> None:
    """Tech keeps Berlin office hours; at 07:30 on a Monday it is closed, and a chat escalated to it is left as a
    message."""
    hours = {"time_zone": "Europe/Berlin", "weekly": {"mon": ["08:00-17:00"]}}
    app = boot(tmp_path, redis, redis_url, slack=SLACK_ON, queues=queues_with(tech={"hours": hours}))
    clock = with_clock(app)
    clock.t = datetime(2026, 12, 7, 7, 30, tzinfo=ZoneInfo("Europe/Berlin")).timestamp()
    await available(app, "bob")
    chat = await escalated(app, queue="tech", name="Dee")
    assert chat.state == ChatState.MESSAGE
    reply = await run(app, "sam", "csr queues")
    assert isinstance(reply, Table)
    rows = {r[0]: r for r in reply.rows}
    assert rows["Tech support"][-1] == "closed, opens Mon 07 Dec 08:00 Europe/Berlin"
    assert rows["Tech support"][-2] == "1"
    assert rows["General"][-1] == "open"
    clock.t += 3600
    reply = await run(app, "sam", "csr queues")
    assert isinstance(reply, Table) and {r[0]: r for r in reply.rows}["Tech support"][-1] == "open"


async def test_agents_table(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url)
    _, ann, _, _ = await _known_state(app)
    reply = await run(app, "sam", "csr agents general", platform="matrix")
    assert isinstance(reply, Table) and reply.title == "CSRs of General"
    rows = {r[0]: r for r in matrix_rows(reply)}
    assert set(rows) == {"Alice", "Bob", "Carol", "Sam"}
    assert rows["Alice"] == ["Alice", "available", "1 min", "1/2", "1", "1", ann.id]
    assert rows["Bob"][1:] == ["away", "1 min", "0/2", "0", "0", "—"]
    assert rows["Carol"][1:] == ["offline", "—", "0/3", "0", "0", "—"]
    assert "Missed today" in slack_text(reply)


async def test_chats_table(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url)
    _, ann, bea, cid = await _known_state(app)
    reply = await run(app, "ada", "csr chats")
    assert isinstance(reply, Table)
    assert [list(r) for r in reply.rows] == [
        [bea.id, "Bea", "Billing", "offered", "—", "1 min", "—"],
        [cid.id, "Cid", "General", "waiting", "—", "<1 min", "—"],
        [ann.id, "Ann", "General", "active", "Alice", "<1 min", "1 min"],
    ]
    assert matrix_rows(reply) == [list(r) for r in reply.rows]
    general = await run(app, "gus", "csr chats general")
    assert isinstance(general, Table) and [r[0] for r in general.rows] == [cid.id, ann.id]


async def test_a_long_table_pages_on_both_platforms(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url)
    await signed_in(app, "bob")
    for n in range(40):
        await escalated(app, queue="general", name=f"Customer {n:02d}")
    reply = await run(app, "sam", "csr chats")
    assert isinstance(reply, Table) and len(reply.rows) == 40
    assert sorted(r[0] for r in matrix_rows(reply)) == sorted(r[0] for r in reply.rows)
    assert all(f"Customer {n:02d}" in slack_text(reply) for n in range(40))
