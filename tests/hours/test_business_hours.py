"""Open or closed, and the next opening, against a minute-by-minute reference; DST transitions included."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bridge.config.hours import DAYS, HoursConfig
from bridge.hours import BusinessHours

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Sao_Paulo", "Asia/Kolkata",
         "Pacific/Apia", "America/St_Johns", "UTC"]
HORIZON_MINUTES = 16 * 24 * 60


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def day_spans(draw: st.DrawFn) -> list[str]:
    """0-3 non-overlapping spans on quarter hours, often around 01:00-04:00 where clocks change."""
    cuts = sorted(set(draw(st.lists(st.one_of(st.integers(0, 96), st.integers(4, 16)), max_size=6))))
    cuts = [c * 15 for c in cuts]
    return [f"{_hhmm(a)}-{_hhmm(b)}" for a, b in zip(cuts[::2], cuts[1::2], strict=False) if b > a]


@st.composite
def hours_configs(draw: st.DrawFn, at: datetime) -> HoursConfig:
    weekly = {day: draw(day_spans()) for day in DAYS if draw(st.booleans())}
    closed = draw(st.lists(st.integers(-2, 10).map(lambda d: at.date() + timedelta(days=d)), max_size=4))
    return HoursConfig(time_zone=draw(st.sampled_from(ZONES)), weekly=weekly, closed_dates=closed)


def _transitions(zone: str) -> list[datetime]:
    """UTC instants where the zone's offset changes, 2010-2030 (found by stepping hours)."""
    tz, out = ZoneInfo(zone), []
    t = datetime(2010, 1, 1, tzinfo=UTC)
    before = t.astimezone(tz).utcoffset()
    while t.year < 2031:
        t += timedelta(hours=1)
        now = t.astimezone(tz).utcoffset()
        if now != before:
            out.append(t)
        before = now
    return out


TRANSITIONS = [t for z in ZONES for t in _transitions(z)]

instants = st.one_of(
    st.datetimes(datetime(2010, 1, 1), datetime(2030, 12, 1)).map(lambda d: d.replace(tzinfo=UTC)),
    st.tuples(st.sampled_from(TRANSITIONS), st.integers(-72 * 60, 72 * 60)).map(
        lambda p: p[0] + timedelta(minutes=p[1])),
)


class Reference:
    """The slow way: a 7 x 1440 table of open minutes, the local time by adding the offset."""

    def __init__(self, config: HoursConfig) -> None:
        self.zone = ZoneInfo(config.time_zone)
        self.closed = set(config.closed_dates)
        self.table = [[False] * 1440 for _ in DAYS]
        for i, day in enumerate(DAYS):
            for span in config.weekly.get(day, []):
                a, b = (int(x[:2]) * 60 + int(x[3:]) for x in span.split("-"))
                for m in range(a, b):
                    self.table[i][m] = True

    def is_open(self, t: datetime) -> bool:
        local = t.replace(tzinfo=None) + (t.astimezone(self.zone).utcoffset() or timedelta())
        return local.date() not in self.closed and self.table[local.weekday()][local.hour * 60 + local.minute]

    def next_opening(self, t: datetime) -> datetime | None:
        if self.is_open(t):
            return t
        step = t.replace(second=0, microsecond=0) + timedelta(minutes=1)
        for _ in range(HORIZON_MINUTES):
            if self.is_open(step):
                return step
            step += timedelta(minutes=1)
        return None


def test_a_sunday_span_opens_before_the_jump_that_falls_on_the_utc_saturday() -> None:
    """Found by the property test below: Lord Howe's DST starts Sunday 02:00 (+10:30 to +11), which is Saturday
    15:30 UTC, while the Sunday's first span opens at 00:00 local, Saturday 13:30 UTC: the earlier one wins."""
    config = HoursConfig(time_zone="Australia/Lord_Howe", weekly={"sun": ["00:00-00:15", "00:30-02:45"]})
    hours, at = BusinessHours(config), datetime(2010, 10, 1, tzinfo=UTC)
    assert hours.next_opening(at.timestamp()) == Reference(config).next_opening(at).timestamp() \
        == datetime(2010, 10, 2, 13, 30, tzinfo=UTC).timestamp()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), at=instants)
@example(data=None, at=datetime(2026, 3, 29, 0, 30, tzinfo=UTC))
def test_open_and_next_opening_match_the_reference(data: st.DataObject | None, at: datetime) -> None:
    if data is None:  # Berlin's spring-forward night: 02:30 never happens, the span opens at 03:00 CEST
        config = HoursConfig(time_zone="Europe/Berlin", weekly={"sun": ["02:30-05:00"]})
    else:
        config = data.draw(hours_configs(at))
    hours, ref = BusinessHours(config), Reference(config)
    assert hours.is_open(at.timestamp()) == ref.is_open(at)
    expected = ref.next_opening(at)
    got = hours.next_opening(at.timestamp())
    if expected is None:
        assert got is None or got > (at + timedelta(minutes=HORIZON_MINUTES)).timestamp()
    else:
        assert got == expected.timestamp(), (config, at, datetime.fromtimestamp(got, UTC) if got else None)


def test_spring_forward_opens_at_the_jump() -> None:
    hours = BusinessHours(HoursConfig(time_zone="Europe/Berlin", weekly={"sun": ["02:30-05:00"]}))
    opened = hours.next_opening(datetime(2026, 3, 29, 0, 0, tzinfo=UTC).timestamp())
    assert opened == datetime(2026, 3, 29, 1, 0, tzinfo=UTC).timestamp()  # 03:00 CEST


def test_fall_back_reopens_when_the_hour_repeats() -> None:
    hours = BusinessHours(HoursConfig(time_zone="Europe/Berlin", weekly={"sun": ["02:00-02:30"]}))
    first = datetime(2026, 10, 25, 0, 0, tzinfo=UTC)  # 02:00 CEST
    assert hours.next_opening(first.timestamp() - 60) == first.timestamp()
    second = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)  # 02:00 CET, the same wall time again
    assert hours.next_opening(first.timestamp() + 45 * 60) == second.timestamp()


def test_clocks_going_back_reopen_a_span_they_fall_into_again() -> None:
    hours = BusinessHours(HoursConfig(time_zone="Europe/Berlin", weekly={"sun": ["01:00-02:30"]}))
    after_first = datetime(2026, 10, 25, 0, 31, tzinfo=UTC)  # 02:31 CEST: closed until the clock goes back
    assert not hours.is_open(after_first.timestamp())
    assert hours.next_opening(after_first.timestamp()) == datetime(2026, 10, 25, 1, 0, tzinfo=UTC).timestamp()


def test_public_holidays_close_the_day() -> None:
    config = HoursConfig(time_zone="Europe/Berlin", weekly={d: ["09:00-17:00"] for d in DAYS},
                         holidays_country="DE")
    hours = BusinessHours(config)
    christmas_noon = datetime(2026, 12, 25, 12, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert not hours.is_open(christmas_noon.timestamp())
    assert hours.next_opening(christmas_noon.timestamp()) == datetime(
        2026, 12, 27, 9, 0, tzinfo=ZoneInfo("Europe/Berlin")).timestamp()  # the 26th is a holiday too


def test_never_open_has_no_next_opening() -> None:
    assert BusinessHours(HoursConfig(time_zone="UTC")).next_opening(0) is None
    closed = HoursConfig(time_zone="UTC", weekly={"mon": ["09:00-10:00"]}, closed_dates=[date(2026, 1, 5)])
    assert BusinessHours(closed).next_opening(datetime(2026, 1, 5, tzinfo=UTC).timestamp()) == datetime(
        2026, 1, 12, 9, tzinfo=UTC).timestamp()
