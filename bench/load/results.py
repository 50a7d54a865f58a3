"""What one platform's load run measured, and the checks that every message arrived exactly once."""

import statistics
from dataclasses import dataclass, field

from bench.load.procs import Usage


def pct(samples: list[float], q: int) -> float:
    if not samples:
        return float("nan")
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


@dataclass
class Counts:
    """Sent, delivered once, delivered more than once, never delivered; echoes went back where they came from."""

    sent: int = 0
    delivered: int = 0
    duplicated: int = 0
    lost: int = 0
    echoed: int = 0

    @property
    def exact(self) -> bool:
        return self.delivered == self.sent and not (self.duplicated or self.lost or self.echoed)


def tally(seen: dict[str, list[float]], tokens: list[str]) -> Counts:
    """How often each token arrived: once, more than once, never."""
    hits = [len(seen.get(t, ())) for t in tokens]
    return Counts(sent=len(tokens), delivered=sum(1 for h in hits if h == 1),
                  duplicated=sum(1 for h in hits if h > 1), lost=sum(1 for h in hits if h == 0))


@dataclass
class PlatformRun:
    platform: str
    customers: int
    csrs: int
    escalate_ms: list[float] = field(default_factory=list)
    to_thread_ms: list[float] = field(default_factory=list)
    to_customer_ms: list[float] = field(default_factory=list)
    conversation_messages: int = 0
    conversation_seconds: float = 0.0
    flood_messages: int = 0
    flood_seconds: float = 0.0
    baseline_messages: int = 0
    baseline_seconds: float = 0.0
    merged_posts: int = 0
    to_thread: Counts = field(default_factory=Counts)
    to_customer: Counts = field(default_factory=Counts)
    usage: dict[str, Usage] = field(default_factory=dict)
    flood_usage: dict[str, Usage] = field(default_factory=dict)
    baseline_usage: dict[str, Usage] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    """What went wrong on the bench's side: refused requests, socket errors."""
    logged: dict[str, int] = field(default_factory=dict)
    """Errors in the bridge's own logs over the whole load run (both platforms), by message."""

    @property
    def conversation_rate(self) -> float:
        return self.conversation_messages / self.conversation_seconds if self.conversation_seconds else 0.0

    @property
    def flood_rate(self) -> float:
        return self.flood_messages / self.flood_seconds if self.flood_seconds else 0.0

    @property
    def baseline_rate(self) -> float:
        return self.baseline_messages / self.baseline_seconds if self.baseline_seconds else 0.0

    @property
    def ratio(self) -> float:
        return self.flood_rate / self.baseline_rate if self.baseline_rate else float("nan")
