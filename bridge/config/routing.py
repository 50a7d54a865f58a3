"""Routing rules that apply to every queue."""

from pydantic import Field

from bridge.config.base import Section


class RoutingConfig(Section):
    default_capacity: int = Field(2, ge=1, le=50)
    missed_offers_before_away: int = Field(2, ge=1, le=100)
    customer_idle_timeout: float = Field(1800.0, gt=0)
    """Seconds without a customer message after which an active chat is closed."""
