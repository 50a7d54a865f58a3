"""The report's figures: counts, averages and 90th percentiles over a period, per queue and per CSR.

p90 is the nearest-rank percentile: the smallest value that at least 90% of the samples do not exceed.
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from reports.history import ChatHistory, samples
from reports.period import Period

COUNTED = ("queued", "offered", "accepted", "declined", "missed", "abandoned", "transferred", "cobrowse")
ANSWERS = ("accepted", "declined", "missed")


def average(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


@dataclass
class Figures:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTED, 0))
    waits: list[float] = field(default_factory=list)
    handles: list[float] = field(default_factory=list)
    ratings: list[float] = field(default_factory=list)


@dataclass
class Report:
    period: Period
    queues: list[str]
    total: Figures = field(default_factory=Figures)
    by_queue: dict[str, Figures] = field(default_factory=lambda: defaultdict(Figures))
    answers: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    """CSR -> queue (and "" for all) -> accepted / declined / missed offers."""
    volume: dict[str, list[int]] = field(default_factory=dict)
    """Queue -> chats queued in each of the period's buckets."""
    bucket_waits: dict[str, list[list[float]]] = field(default_factory=dict)

    def answer(self, agent: str, queue: str = "") -> dict[str, int]:
        return self.answers.get(agent, {}).get(queue, dict.fromkeys(ANSWERS, 0))


def build_report(histories: Iterable[ChatHistory], period: Period, queues: list[str]) -> Report:
    report = Report(period=period, queues=list(queues))
    slots = len(period.buckets)
    report.volume = {q: [0] * slots for q in queues}
    report.bucket_waits = {q: [[] for _ in range(slots)] for q in queues}
    for history in histories:
        for s in samples(history):
            if s.queue in report.volume and period.contains(s.ts):
                _add(report, s.kind, s.queue, s.ts, s.agent, s.value)
    return report


def _add(report: Report, kind: str, queue: str, ts: float, agent: str, value: float) -> None:
    for figures in (report.total, report.by_queue[queue]):
        if kind in figures.counts:
            figures.counts[kind] += 1
        elif kind == "wait":
            figures.waits.append(value)
        elif kind == "handle":
            figures.handles.append(value)
        elif kind == "rating":
            figures.ratings.append(value)
    if kind in ANSWERS and agent:
        per = report.answers.setdefault(agent, {})
        for key in ("", queue):
            per.setdefault(key, dict.fromkeys(ANSWERS, 0))[kind] += 1
    if kind == "queued":
        report.volume[queue][report.period.bucket(ts)] += 1
    elif kind == "wait":
        report.bucket_waits[queue][report.period.bucket(ts)].append(value)
