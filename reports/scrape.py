"""`/metrics`: the process's registry, with the gauges of shared state read from Redis at scrape time
(chats waiting in each queue, open chats, offers by outcome, archives pending and parked), so
every serve process reports the same true values."""

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bridge.app import BridgeApp

CONTENT_TYPE = CONTENT_TYPE_LATEST


async def scrape(app: BridgeApp) -> bytes:
    names = [q.name for q in app.config.queues]
    async with app.redis.pipeline(transaction=False) as pipe:
        for name in names:
            pipe.zcard(app.keys.queue_waiting(name))
        pipe.scard(app.keys.open_chats)
        pipe.hgetall(app.keys.offer_outcomes)
        pipe.zcard(app.keys.archive_pending)
        pipe.hlen(app.keys.archive_parked)
        pipe.hgetall(app.keys.archive_outcomes)
        *depths, open_chats, offers, pending, parked, archive_failures = await pipe.execute()
    m = app.metrics
    m.offers.refresh(offers)
    m.archive_failures.refresh(archive_failures)
    for name, depth in zip(names, depths):
        m.queue_depth.labels(queue=name).set(depth)
    m.open_chats.set(open_chats)
    m.archives_pending.set(pending)
    m.archives_parked.set(parked)
    return generate_latest(app.metrics.registry)
