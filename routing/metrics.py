"""Routing's share of the metrics: offers by outcome (counted in Redis, so the expiries RQ workers
handle count too), and customers' wait until accepted (observed by the serve process that accepts)."""

from redis.asyncio import Redis

from bridge.keys import Keys
from bridge.metrics import Metrics
from routing.scripts import ScriptResult

OUTCOMES = {"accepted", "declined", "expired"}


async def observe(redis: Redis, keys: Keys, metrics: Metrics, result: ScriptResult) -> None:
    counts = [f"{offer.get('queue', '')}|offered" for offer in result.offers]
    if result.status in OUTCOMES and result.get("queue"):
        counts.append(f"{result.get('queue')}|{result.status}")
    if counts:
        async with redis.pipeline(transaction=False) as pipe:
            for field in counts:
                pipe.hincrby(keys.offer_outcomes, field, 1)
            await pipe.execute()
    if result.status == "accepted" and not result.get("transfer_from"):
        metrics.wait_time.labels(queue=result.get("queue")).observe(float(result.get("waited", 0)))
