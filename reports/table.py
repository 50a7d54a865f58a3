"""The report as one table: a row per figure (and per CSR's accept rate), a column for all the
report's queues together and one for each queue. The same rows give the chat table and the CSV."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from bridge.commands.replies import Table
from bridge.config.root import BridgeConfig
from bridge.figures import format_duration, share
from reports.figures import Figures, Report, average, p90

Value = float | int | None


@dataclass(frozen=True)
class Row:
    label: str
    unit: str
    values: tuple[Value, ...]
    shown: tuple[str, ...]


def _count(name: str) -> Callable[[Figures], Value]:
    return lambda f: f.counts[name]


FIGURES: tuple[tuple[str, str, Callable[[Figures], Value]], ...] = (
    ("Chats queued", "count", _count("queued")),
    ("Offers made", "count", _count("offered")),
    ("Offers accepted", "count", _count("accepted")),
    ("Offers declined", "count", _count("declined")),
    ("Offers missed", "count", _count("missed")),
    ("Abandoned while waiting", "count", _count("abandoned")),
    ("Transfers", "count", _count("transferred")),
    ("Co-browse sessions", "count", _count("cobrowse")),
    ("Wait avg", "seconds", lambda f: average(f.waits)),
    ("Wait p90", "seconds", lambda f: p90(f.waits)),
    ("Handle time avg", "seconds", lambda f: average(f.handles)),
    ("Handle time p90", "seconds", lambda f: p90(f.handles)),
    ("Rating avg", "score 1-5", lambda f: average(f.ratings)),
    ("Ratings", "count", lambda f: len(f.ratings)),
)


def _shown(unit: str, value: Value) -> str:
    if value is None:
        return "—"
    if unit == "seconds":
        return format_duration(float(value))
    if unit.startswith("score"):
        return f"{value:.2f}"
    return str(value)


def column_keys(report: Report) -> tuple[str, ...]:
    """"" for all the report's queues together, then each queue; one queue alone has just its column."""
    return tuple(report.queues) if len(report.queues) == 1 else ("", *report.queues)


def rows(report: Report, config: BridgeConfig) -> list[Row]:
    keys = column_keys(report)
    columns = [report.by_queue[k] if k else report.total for k in keys]
    out = []
    for label, unit, get in FIGURES:
        values = tuple(get(f) for f in columns)
        out.append(Row(label, unit, values, tuple(_shown(unit, v) for v in values)))
    for agent_id in sorted(report.answers, key=lambda a: _name(config, a).lower()):
        answers = [report.answer(agent_id, k) for k in keys]
        offered = [sum(a.values()) for a in answers]
        values = tuple(a["accepted"] / n if n else None for a, n in zip(answers, offered))
        shown = tuple(share(a["accepted"], n) for a, n in zip(answers, offered))
        out.append(Row(f"Accept rate · {_name(config, agent_id)}", "share", values, shown))
    return out


def header(report: Report, config: BridgeConfig) -> tuple[str, ...]:
    return ("Figure", *(config.queue(k).display_name if k else "All" for k in column_keys(report)))


def as_table(report: Report, config: BridgeConfig, title: str, public: bool = False) -> Table:
    return Table(title, header(report, config), tuple((r.label, *r.shown) for r in rows(report, config)), public)


def as_csv(report: Report, config: BridgeConfig) -> bytes:
    """Numbers as numbers (seconds, shares as fractions), cells never starting like a formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("figure", "unit", *(k or "all" for k in column_keys(report))))
    for row in rows(report, config):
        writer.writerow((_cell(row.label), row.unit, *("" if v is None else _number(v) for v in row.values)))
    return out.getvalue().encode()


def _number(value: float | int) -> str:
    return str(value) if isinstance(value, int) else f"{value:.3f}"


def _cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _name(config: BridgeConfig, agent_id: str) -> str:
    agent = config.agent(agent_id)
    return agent.display_name if agent else agent_id
