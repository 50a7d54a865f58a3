"""Is a queue open at an instant, and when does it open next: business hours on the real clock.

Hours are wall-clock times in the team's zone, so daylight saving time moves them in UTC. The next opening
is the earliest instant at which `is_open` turns true. It can only turn true where a span starts (a local
time that may occur twice when clocks go back, or not at all when they go forward: then the span opens at
the jump) or where the zone's offset changes; those are the only candidates looked at. Spans are gathered by
local day and offset changes by UTC day, so a later day's span can open before an earlier day's offset change
(Lord Howe's half-hour jump falls on the UTC day before the local Sunday it starts): the search goes on until
no later day can hold an earlier candidate.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from bridge.config.hours import DAYS, HoursConfig, parse_span

LOOKAHEAD_DAYS = 400
"""How far ahead to look for an opening; beyond it the queue counts as closed for good."""


@dataclass(frozen=True)
class Status:
    open: bool
    opens_at: float | None
    """When it opens next (epoch seconds) while closed; None while open or when it never opens again."""


class BusinessHours:
    def __init__(self, config: HoursConfig) -> None:
        self.zone = ZoneInfo(config.time_zone)
        self.spans: tuple[tuple[tuple[int, int], ...], ...] = tuple(
            tuple(sorted(parse_span(s) for s in config.weekly.get(day, []))) for day in DAYS)
        self.closed_dates = frozenset(config.closed_dates)
        self._holidays = (holidays.country_holidays(config.holidays_country,
                                                    subdiv=config.holidays_subdivision or None)
                          if config.holidays_country else None)

    def closed_all_day(self, day: date) -> bool:
        return day in self.closed_dates or (self._holidays is not None and day in self._holidays)

    def is_open(self, at: float) -> bool:
        local = datetime.fromtimestamp(at, self.zone)
        if self.closed_all_day(local.date()):
            return False
        minute = local.hour * 60 + local.minute + (local.second + local.microsecond / 1e6) / 60
        return any(start <= minute < end for start, end in self.spans[local.weekday()])

    def status(self, at: float) -> Status:
        if self.is_open(at):
            return Status(True, None)
        return Status(False, self.next_opening(at))

    def next_opening(self, at: float) -> float | None:
        """The earliest instant after `at` when the queue is open; `at` itself when open now."""
        if self.is_open(at):
            return at
        first = datetime.fromtimestamp(at, self.zone).date() - timedelta(days=1)
        best: float | None = None
        for offset in range(LOOKAHEAD_DAYS + 2):
            day = first + timedelta(days=offset)
            if best is not None and datetime.combine(day, time(), UTC).timestamp() - 86400 > best:
                break  # a day's candidates all come after its UTC midnight less a day (offsets are under 24 h)
            found = [c for c in self._candidates(day) if c > at and self.is_open(c)]
            best = min([*found, best] if best is not None else found, default=None)
        return best

    def _candidates(self, day: date) -> Iterator[float]:
        for start, _ in self.spans[day.weekday()]:
            yield from self._wall_instants(day, start)
        yield from self._offset_changes(day)

    def _wall_instants(self, day: date, minute: int) -> Iterator[float]:
        """The instants the local clock reads `minute` on `day`: one, two (clocks went back), or, when the
        clock jumps over it, the first instant after the jump."""
        wall = datetime.combine(day, time(minute // 60, minute % 60))
        early, late = (wall.replace(tzinfo=self.zone, fold=f).timestamp() for f in (0, 1))
        lo, hi = min(early, late), max(early, late)
        if lo == hi or self._reads(lo, wall):
            yield lo
            if hi != lo and self._reads(hi, wall):
                yield hi
            return
        while hi - lo > 1:  # the clock skips `wall`: the jump lies between lo and hi
            mid = (lo + hi) // 2
            if self._local(mid) >= wall:
                hi = mid
            else:
                lo = mid
        yield hi

    def _offset_changes(self, day: date) -> Iterator[float]:
        """The instant(s) in this UTC day where the zone's offset changes (DST or a zone's history)."""
        start = datetime.combine(day, time(), UTC).timestamp()
        end = start + 86400
        if self._offset(start) == self._offset(end):
            return
        lo, hi = start, end
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self._offset(mid) == self._offset(start):
                lo = mid
            else:
                hi = mid
        yield hi

    def _offset(self, at: float) -> timedelta | None:
        return datetime.fromtimestamp(at, self.zone).utcoffset()

    def _local(self, at: float) -> datetime:
        return datetime.fromtimestamp(at, self.zone).replace(tzinfo=None)

    def _reads(self, at: float, wall: datetime) -> bool:
        return self._local(at) == wall


ALWAYS = Status(True, None)
_built: dict[int, tuple[HoursConfig, BusinessHours]] = {}


def business_hours(config: HoursConfig) -> BusinessHours:
    """One BusinessHours per config object (its holidays table is built once, not per question)."""
    kept = _built.get(id(config))
    if kept is None or kept[0] is not config:
        kept = _built[id(config)] = (config, BusinessHours(config))
    return kept[1]


def status_of(hours: HoursConfig | None, at: float) -> Status:
    """A queue's status from its hours config; no hours: always open."""
    return ALWAYS if hours is None else business_hours(hours).status(at)
