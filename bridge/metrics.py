"""Prometheus metrics of one process, on its own registry (no globals, tests build their own).

Counters and histograms are observed where things happen (delivery, adapters, routing); gauges
that describe shared state (queue depth, open chats) are read from Redis at scrape time.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.metrics_core import CounterMetricFamily

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
WAIT_BUCKETS = (5, 10, 20, 30, 60, 120, 300, 600, 1200, 3600)


class SharedCounts:
    """A counter whose truth is a Redis hash (field "label|label" -> count), so what RQ workers and
    other processes count shows on every process's /metrics; the scrape refreshes the snapshot."""

    def __init__(self, name: str, documentation: str, labels: tuple[str, ...]) -> None:
        self.name = name
        self._doc = documentation
        self.labels = labels
        self.snapshot: dict[tuple[str, ...], float] = {}

    def refresh(self, counts: dict[str, str]) -> None:
        separators = len(self.labels) - 1
        self.snapshot = {tuple(f.split("|")): float(v) for f, v in counts.items() if f.count("|") == separators}

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(self.name, self._doc, labels=list(self.labels))
        for values, count in sorted(self.snapshot.items()):
            family.add_metric(list(values), count)
        yield family


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.delivery_latency = Histogram("csr_delivery_latency_seconds",
                                          "Time from an event entering the bridge to its delivery on a platform",
                                          ["platform"], buckets=LATENCY_BUCKETS, registry=r)
        self.platform_errors = Counter("csr_platform_api_errors_total", "Platform API calls that failed",
                                       ["platform", "error"], registry=r)
        self.rate_limit_wait = Counter("csr_platform_rate_limit_wait_seconds_total",
                                       "Seconds spent waiting because a platform said slow down", ["platform"],
                                       registry=r)
        self.offers = SharedCounts("csr_offers", "Offers by outcome, counted in Redis by every serve and worker",
                                   ("queue", "outcome"))
        r.register(self.offers)
        self.chats_ended = SharedCounts("csr_chats_ended", "Chats ended, by queue and the outcome their CSR gave "
                                        "(none: ended without one), counted in Redis", ("queue", "outcome"))
        r.register(self.chats_ended)
        self.tags = SharedCounts("csr_chat_tags", "Tags added to chats (csr tag), by queue and tag, counted in Redis",
                                 ("queue", "tag"))
        r.register(self.tags)
        self.wait_time = Histogram("csr_wait_seconds", "Customer wait from escalation to accept", ["queue"],
                                   buckets=WAIT_BUCKETS, registry=r)
        self.queue_depth = Gauge("csr_queue_depth", "Chats waiting in each queue", ["queue"], registry=r)
        self.open_chats = Gauge("csr_open_chats", "Chats not yet closed, by state (sum them for all open chats)",
                                ["state"], registry=r)
        self.archives_pending = Gauge("csr_transcripts_pending", "Closed chats waiting to be written to the SQL store",
                                      registry=r)
        self.archives_parked = Gauge("csr_transcripts_parked",
                                     "Closed chats whose archive the database kept refusing, parked for an admin",
                                     registry=r)
        self.archive_failures = SharedCounts("csr_archive_failures",
                                             "Failed archive attempts by kind (unreachable, refused) and chats parked",
                                             ("kind",))
        r.register(self.archive_failures)
