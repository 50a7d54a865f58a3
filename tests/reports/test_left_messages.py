"""Reports count left messages, claims and answers, and the time from a message being left to its first
answer, from the chat's own events (a real routing run: Redis, the routing scripts, the claim)."""

from pathlib import Path

from redis.asyncio import Redis

from bridge.domain.chat import Customer
from bridge.domain.events import Origin
from reports.figures import build_report
from reports.period import Period
from reports.sources import history_of
from reports.table import as_table
from tests.routing.helpers import SLACK_ON, app_with, run, with_clock


async def test_left_claimed_answered_and_time_to_first_answer(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = app_with(tmp_path, redis, redis_url, slack=SLACK_ON)
    clock = with_clock(app)
    alice = app.agent("alice")
    assert alice is not None
    chats = []
    for name in ("Ann", "Bea", "Cid"):
        chat = await app.service.start_chat(Customer(name=name, email=f"{name.lower()}@example.org"), "question",
                                            "general", 0, "hello")
        await app.service.escalate(chat.id)
        chats.append(chat)
    ann, bea, _ = chats
    await run(app, "alice", f"csr claim {ann.id}")
    await run(app, "alice", f"csr claim {bea.id}")
    for n, reply in enumerate(("We refunded you.", "Anything else?")):
        await app.service.agent_message(ann.id, alice, reply, Origin(platform="slack", event_id=f"r{n}"))
    histories = []
    for chat in chats:
        fresh = await app.chats.get(chat.id)
        assert fresh is not None
        histories.append(history_of(fresh, await app.stream.read_all(chat.id), None))
    start = clock.t - 3600
    report = build_report(histories, Period("today", start, start + 7200, (start,), "UTC"), ["general"])
    counts = report.total.counts
    assert (counts["left"], counts["claimed"], counts["answered"]) == (3, 2, 1)
    [first] = report.total.first_answers
    assert 0 <= first < 60
    rows = {r[0]: r[1] for r in as_table(report, app.config, "Report").rows}
    assert (rows["Messages left"], rows["Messages claimed"], rows["Messages answered"]) == ("3", "2", "1")
