"""Supervisor views and reports: the reporting time zone, the chart's size, how often dashboards refresh."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from bridge.config.base import Section


class ReportsConfig(Section):
    timezone: str = "UTC"
    """IANA zone name; "today" and the chart's hours and days are counted in it."""
    chart_width: int = Field(1200, ge=400, le=4000)
    """Pixels."""
    chart_height: int = Field(700, ge=300, le=3000)
    dashboard_seconds: float = Field(5.0, ge=1.0, le=600.0)
    """Live dashboards (Slack App Home, the Matrix status message) refresh on change, at most this often."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Europe/Berlin") from exc
        return value
