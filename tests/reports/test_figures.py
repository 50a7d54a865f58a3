"""The report's numbers against a generated history of known chats.

The history runs through the real router (tests/reports/simulation.py) and is archived into SQLite,
except the chats still open and two closed moments ago, which the report finds through the routing
feed. The report is built by a real RQ worker and posted through the reply outbox; every figure is
then worked out again here from the simulation's own log, with numpy for the percentiles.
"""

import csv
import io
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy
import pytest
from PIL import Image
from redis.asyncio import Redis

from bridge.bootstrap import bootstrap
from bridge.commands.replies import FileReply, Table, Text
from bridge.domain.events import Author, AuthorKind, ChatEvent, EventKind
from reports.outbox import ReplyOutbox
from tests.knowledge.helpers import run_worker
from tests.reports.simulation import Logged, Script, Simulation, scripts
from tests.routing.helpers import available, with_clock
from tests.supervision.helpers import boot, run
from tests.support.recording_surface import RecordingSurface

SETTINGS = {"routing": {"missed_offers_before_away": 100},
            "reports": {"chart_width": 900, "chart_height": 500, "timezone": "UTC"}}
NAMES = {"alice": "Alice", "bob": "Bob", "carol": "Carol"}


def window() -> tuple[float, float]:
    """The last 7 days, today included, from midnight UTC: worked out here without the report's code."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return (today - timedelta(days=6)).timestamp(), time.time()


def expected(log: list[Logged], start: float, end: float, queue: str | None) -> dict[str, float | int | None]:
    inside = [x for x in log if start <= x.ts <= end and (queue is None or x.queue == queue)]

    def values(kind: str) -> list[float]:
        return [x.value for x in inside if x.kind == kind]

    def stat(kind: str, how: str) -> float | None:
        v = values(kind)
        if not v:
            return None
        return float(numpy.mean(v)) if how == "avg" else float(numpy.percentile(v, 90, method="inverted_cdf"))

    out: dict[str, float | int | None] = {
        label: sum(x.kind == kind for x in inside) for label, kind in (
            ("Chats queued", "queued"), ("Offers made", "offered"), ("Offers accepted", "accepted"),
            ("Offers declined", "declined"), ("Offers missed", "missed"),
            ("Abandoned while waiting", "abandoned"), ("Transfers", "transferred"), ("Co-browse sessions", "cobrowse"),
            ("Ratings", "rating"))}
    out |= {"Wait avg": stat("wait", "avg"), "Wait p90": stat("wait", "p90"),
            "Handle time avg": stat("handle", "avg"), "Handle time p90": stat("handle", "p90"),
            "Rating avg": stat("rating", "avg")}
    for agent, name in NAMES.items():
        answered = [x.kind for x in inside if x.agent == agent and x.kind in ("accepted", "declined", "missed")]
        if any(x.agent == agent and x.kind in ("accepted", "declined", "missed")
               for x in log if start <= x.ts <= end):
            out[f"Accept rate · {name}"] = answered.count("accepted") / len(answered) if answered else None
    return out


def parse_csv(data: bytes) -> tuple[list[str], dict[str, list[str]]]:
    rows = list(csv.reader(io.StringIO(data.decode())))
    return rows[0], {r[0]: r[2:] for r in rows[1:]}


def same(actual: str, wanted: float | int | None) -> bool:
    if wanted is None:
        return actual == ""
    return abs(float(actual) - wanted) < 0.002


@pytest.fixture
async def history(tmp_path: Path, redis: Redis, redis_url: str):  # noqa: ANN201 - (app, surface, sim, window)
    app = boot(tmp_path, redis, redis_url, **SETTINGS)
    surface = RecordingSurface(platform="slack")
    app.surfaces["slack"] = surface
    start, end = window()
    played = bootstrap(app.config, redis, redis_url, "")
    """Without a config path, so no timer jobs: the worker that builds the report must not move the clock's past."""
    clock = with_clock(played)
    clock.t = start - 5 * 86400
    await available(played, "alice", "bob", "carol")
    sim = Simulation(played, clock)
    for n in range(3):
        await sim.play(Script(start=start - 3 * 86400 + n * 3600, queue="general", steps=["accept:9", "close:200"],
                              rating=5))
    await sim.play(Script(start=start - 400, queue="general", steps=["accept:15", "close:800"], rating=2))
    for script in scripts(start + 600, end - 4 * 3600):
        await sim.play(script)
    await sim.play(Script(start=end - 3000, queue="general", steps=["decline", "accept:25"]))
    await sim.play(Script(start=end - 2000, queue="billing", steps=["decline", "hold"]))
    for chat_id in sim.closed[:-2]:
        assert (await app.transcripts.archiver.archive(chat_id)).value == "archived"
    late = next(c for c in sim.closed[5:-2] if c in sim.handled and c not in sim.rated)
    closed_at = (await app.chats.get(late)).closed_at
    await app.stream.append(ChatEvent(chat_id=late, kind=EventKind.RATING, ts=closed_at + 60, data={"score": 1},
                                      author=Author(kind=AuthorKind.CUSTOMER, id=late, name="c")))
    sim.log.append(Logged("rating", (await app.chats.get(late)).queue, closed_at, value=1))
    assert (await app.transcripts.store.load(late)).chat.id == late
    yield app, surface, sim, (start, end)
    await app.transcripts.store.close()


async def test_every_figure_matches_the_history(history, redis_url: str) -> None:  # noqa: ANN001
    app, surface, sim, (start, end) = history
    ack = await run(app, "sam", "csr report 7d")
    assert isinstance(ack, Text) and not ack.error and "the last 7 days" in ack.text
    run_worker(app.config_path)
    await ReplyOutbox(app.redis, app.keys, app.feed, app.roster, app.surfaces).on_notice("sam")
    [(who, table, _, conversation, _), (_, chart, _, _, _), (_, export, _, _, _)] = surface.replies
    assert who == "sam" and conversation == ""
    assert isinstance(table, Table) and isinstance(chart, FileReply) and isinstance(export, FileReply)
    assert table.title == "Report for all queues, the last 7 days"
    assert table.columns == ("Figure", "All", "General", "Billing", "Tech support")

    header, rows = parse_csv(export.data)
    assert header == ["figure", "unit", "all", "general", "billing", "tech"]
    for column, queue in enumerate((None, "general", "billing", "tech")):
        wanted = expected(sim.log, start, end, queue)
        assert set(rows) == set(wanted)
        for label, value in wanted.items():
            assert same(rows[label][column], value), (label, queue, rows[label][column], value)
    everything = expected(sim.log, start, end, None)
    assert everything["Offers missed"] and everything["Abandoned while waiting"] and everything["Transfers"]
    assert [r[0] for r in table.rows] == list(rows)
    shown = {r[0]: r[1] for r in table.rows}
    assert shown["Offers made"] == str(everything["Offers made"])
    assert shown["Rating avg"] == f"{everything['Rating avg']:.2f}"

    image = Image.open(io.BytesIO(chart.data))
    assert image.format == "PNG" and image.size == (900, 500)
    assert chart.filename == "report-7d-all.png" and export.filename == "report-7d-all.csv"


async def test_one_queue_and_the_chart_buckets(history, redis_url: str) -> None:  # noqa: ANN001
    app, surface, sim, (start, end) = history
    await run(app, "gus", "csr report general 7d")
    run_worker(app.config_path)
    await ReplyOutbox(app.redis, app.keys, app.feed, app.roster, app.surfaces).on_notice("gus")
    [(_, table, _, _, _), (_, chart, _, _, _), (_, export, _, _, _)] = surface.replies
    assert isinstance(table, Table) and table.columns == ("Figure", "General")
    header, rows = parse_csv(export.data)
    assert header == ["figure", "unit", "general"]
    for label, value in expected(sim.log, start, end, "general").items():
        assert same(rows[label][0], value), label

    from reports.feed import RoutingFeed
    from reports.figures import build_report
    from reports.period import period
    from reports.sources import HistorySources

    p = period("7d", end, "UTC")
    report = build_report(await HistorySources(
        app.transcripts.store, app.chats, app.stream, RoutingFeed(app.redis, app.keys),
        app.config.transcripts.keep_live_hours * 3600).histories(p.start), p, ["general", "billing"])
    for queue in ("general", "billing"):
        days = [0] * 7
        for x in sim.log:
            if x.kind == "queued" and x.queue == queue and start <= x.ts <= end:
                days[int((x.ts - start) // 86400)] += 1
        assert report.volume[queue] == days
    assert Image.open(io.BytesIO(chart.data)).size == (900, 500)
