"""Prometheus metrics of one process, on its own registry (no globals, tests build their own).

Counters and histograms are observed where things happen (delivery, adapters, routing); gauges
that describe shared state (queue depth, open chats) are read from Redis at scrape time.
"""

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
WAIT_BUCKETS = (5, 10, 20, 30, 60, 120, 300, 600, 1200, 3600)


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
        self.offers = Counter("csr_offers_total", "Offers by outcome", ["queue", "outcome"], registry=r)
        self.wait_time = Histogram("csr_wait_seconds", "Customer wait from escalation to accept", ["queue"],
                                   buckets=WAIT_BUCKETS, registry=r)
        self.queue_depth = Gauge("csr_queue_depth", "Chats waiting in each queue", ["queue"], registry=r)
        self.open_chats = Gauge("csr_open_chats", "Chats not yet closed", registry=r)
