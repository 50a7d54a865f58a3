"""Business hours: when a queue's team is there, in the team's own IANA time zone.

Spans are `"HH:MM-HH:MM"` within one local day (end 24:00 allowed); a span past midnight is written as two:
`"22:00-24:00"` on one day and `"00:00-02:00"` on the next. An end before its start is refused rather than
guessed at. Closed days are whole local days: listed dates, and a country's public holidays from the
`holidays` library when `holidays_country` is set.
"""

from datetime import date
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from pydantic import AfterValidator, Field, field_validator, model_validator

from bridge.config.base import Section

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAYS: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def minute_of_day(text: str) -> int:
    """Minutes since midnight for `HH:MM` (00:00 to 24:00); ValueError names what is wrong."""
    hh, sep, mm = text.partition(":")
    if not (sep and len(hh) == 2 and len(mm) == 2 and hh.isascii() and hh.isdigit() and mm.isascii()
            and mm.isdigit()):
        raise ValueError(f"{text!r} is not a time; write HH:MM, such as 08:30")
    hours, minutes = int(hh), int(mm)
    if hours > 24 or minutes > 59 or (hours == 24 and minutes):
        raise ValueError(f"{text!r} is not a time of day (00:00 to 24:00)")
    return hours * 60 + minutes


def parse_span(text: str) -> tuple[int, int]:
    """`"08:00-12:30"` as minutes since midnight (start, end), end after start."""
    start, sep, end = text.strip().partition("-")
    if not sep:
        raise ValueError(f"{text!r} is not a span; write it as HH:MM-HH:MM, such as 08:00-17:30")
    first, last = minute_of_day(start.strip()), minute_of_day(end.strip())
    if first == 24 * 60:
        raise ValueError(f"{text!r} starts at 24:00; start it at 00:00 on the next day")
    if last <= first:
        raise ValueError(f"{text!r} ends before it starts; for hours past midnight end this day at 24:00 "
                         "and add 00:00-HH:MM on the next day")
    return first, last


def _span(text: str) -> str:
    parse_span(text)
    return text


def _no_overlap(spans: list[str]) -> list[str]:
    parsed = sorted((parse_span(s), s) for s in spans)
    for (a, text_a), (b, text_b) in zip(parsed, parsed[1:], strict=False):
        if b[0] < a[1]:
            raise ValueError(f"{text_a} and {text_b} overlap; merge them into one span")
    return spans


Span = Annotated[str, AfterValidator(_span)]
DaySpans = Annotated[list[Span], Field(max_length=24), AfterValidator(_no_overlap)]


class HoursConfig(Section):
    time_zone: str = "UTC"
    """IANA zone the hours are in, such as Europe/Berlin; daylight saving time follows it."""
    weekly: dict[Day, DaySpans] = Field(default_factory=dict)
    """Open spans per weekday; a day left out is closed all day."""
    closed_dates: list[date] = Field(default_factory=list, max_length=2000)
    """Local dates closed all day (company holidays)."""
    holidays_country: str = ""
    """ISO 3166 code (DE, US, ...): that country's public holidays are closed days too."""
    holidays_subdivision: str = ""
    """A state or region of holidays_country (BY, CA, ...), for its own holidays."""

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Europe/Berlin") from exc
        return value

    @field_validator("holidays_country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        if value and value.upper() not in holidays.list_supported_countries():
            raise ValueError(f"no public holidays known for {value!r}; use an ISO 3166 code such as DE or US")
        return value.upper()

    @model_validator(mode="after")
    def _known_subdivision(self) -> "HoursConfig":
        if self.holidays_subdivision:
            if not self.holidays_country:
                raise ValueError("holidays_subdivision needs holidays_country")
            known = holidays.list_supported_countries().get(self.holidays_country, [])
            if self.holidays_subdivision not in known:
                raise ValueError(f"{self.holidays_country} has no subdivision {self.holidays_subdivision!r}; "
                                 f"use one of: {', '.join(known[:40])}")
        return self
