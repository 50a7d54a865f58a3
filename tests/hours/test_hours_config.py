"""check-config on business hours: unknown zones, impossible or overlapping hours, each with its key path."""

from typing import Any

import pytest

from bridge.config.loader import ConfigError, parse_config
from testkit.configs import base_raw


def _problems(hours: dict[str, Any], where: str = "queue") -> dict[str, str]:
    raw = base_raw()
    if where == "queue":
        raw["queues"][0]["hours"] = hours
    else:
        raw["hours"] = hours
    with pytest.raises(ConfigError) as err:
        parse_config(raw)
    return {p.path: p.what for p in err.value.problems}


@pytest.mark.parametrize(("hours", "path", "says"), [
    ({"time_zone": "Europe/Berln"}, "queues[0].hours.time_zone", "unknown time zone"),
    ({"time_zone": "../../etc/passwd"}, "queues[0].hours.time_zone", "unknown time zone"),
    ({"weekly": {"mon": ["08:00-25:00"]}}, "queues[0].hours.weekly.mon[0]", "not a time of day"),
    ({"weekly": {"mon": ["08:60-09:00"]}}, "queues[0].hours.weekly.mon[0]", "not a time of day"),
    ({"weekly": {"tue": ["8-17"]}}, "queues[0].hours.weekly.tue[0]", "not a time"),
    ({"weekly": {"wed": ["22:00-02:00"]}}, "queues[0].hours.weekly.wed[0]", "ends before it starts"),
    ({"weekly": {"thu": ["08:00-12:00", "11:00-13:00"]}}, "queues[0].hours.weekly.thu", "overlap"),
    ({"weekly": {"funday": ["08:00-12:00"]}}, "queues[0].hours.weekly.funday.[key]", "Input should be"),
    ({"holidays_country": "XX"}, "queues[0].hours.holidays_country", "no public holidays"),
    ({"closed_dates": ["2026-02-30"]}, "queues[0].hours.closed_dates[0]", "date"),
])
def test_bad_hours_are_named_by_key_path(hours: dict[str, Any], path: str, says: str) -> None:
    problems = _problems(hours)
    assert path in problems, problems
    assert says in problems[path]


def test_the_default_hours_are_checked_too() -> None:
    assert "hours.time_zone" in _problems({"time_zone": "Mars/Olympus"}, where="top")


def test_good_hours_pass_and_fall_back_to_the_default() -> None:
    raw = base_raw()
    raw["hours"] = {"time_zone": "Europe/Berlin", "weekly": {"mon": ["22:00-24:00"], "tue": ["00:00-02:00"]},
                    "holidays_country": "de", "holidays_subdivision": "BY"}
    raw["queues"][0]["hours"] = {"time_zone": "America/New_York", "weekly": {"fri": ["09:00-17:00"]}}
    cfg = parse_config(raw)
    first, *rest = cfg.queues
    assert cfg.hours_of(first.name) is first.hours
    assert all(cfg.hours_of(q.name) is cfg.hours for q in rest)
    assert cfg.hours is not None and cfg.hours.holidays_country == "DE"
