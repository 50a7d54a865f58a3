"""Routing's share of the process metrics: offers by outcome, and customers' wait until accepted."""

from bridge.metrics import Metrics
from routing.scripts import ScriptResult

OUTCOMES = {"accepted", "declined", "expired"}


def observe(metrics: Metrics, result: ScriptResult) -> None:
    for offer in result.offers:
        metrics.offers.labels(queue=offer.get("queue", ""), outcome="offered").inc()
    if result.status in OUTCOMES and result.get("queue"):
        metrics.offers.labels(queue=result.get("queue"), outcome=result.status).inc()
    if result.status == "accepted" and not result.get("transfer_from"):
        metrics.wait_time.labels(queue=result.get("queue")).observe(float(result.get("waited", 0)))
