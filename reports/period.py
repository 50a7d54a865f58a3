"""Report periods in the configured time zone: today (by hour), 7d and 30d (by day, today included)."""

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

PERIODS = {"today": 1, "7d": 7, "30d": 30}
LABELS = {"today": "today", "7d": "the last 7 days", "30d": "the last 30 days"}


@dataclass(frozen=True)
class Period:
    name: str
    start: float
    end: float
    buckets: tuple[float, ...]
    """Start of each bar on the chart: hours for today, days otherwise."""
    tz: str

    @property
    def label(self) -> str:
        return LABELS[self.name]

    def contains(self, ts: float) -> bool:
        return self.start <= ts <= self.end

    def bucket(self, ts: float) -> int:
        return max(bisect_right(self.buckets, ts) - 1, 0)

    def bucket_label(self, i: int) -> str:
        moment = datetime.fromtimestamp(self.buckets[i], ZoneInfo(self.tz))
        return moment.strftime("%H:00" if self.name == "today" else "%d %b")


def day_start(now: float, tz: str) -> float:
    zone = ZoneInfo(tz)
    return datetime.combine(datetime.fromtimestamp(now, zone).date(), time(0), zone).timestamp()


def period(name: str, now: float, tz: str) -> Period:
    """`name` is one of PERIODS (the caller checked it)."""
    zone = ZoneInfo(tz)
    today = datetime.fromtimestamp(now, zone).date()
    days = [datetime.combine(today - timedelta(days=n), time(0), zone).timestamp()
            for n in range(PERIODS[name] - 1, -1, -1)]
    if name == "today":
        buckets = tuple(days[0] + 3600 * h for h in range(int((now - days[0]) // 3600) + 1))
    else:
        buckets = tuple(days)
    return Period(name=name, start=days[0], end=now, buckets=buckets, tz=tz)
