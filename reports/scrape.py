"""`/metrics`: the process's registry, with the gauges of shared state read from Redis at scrape time
(chats waiting in each queue, open chats, offers by outcome), so every serve process reports the same
true values."""

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
        *depths, open_chats, offers = await pipe.execute()
    app.metrics.offers.refresh(offers)
    for name, depth in zip(names, depths):
        app.metrics.queue_depth.labels(queue=name).set(depth)
    app.metrics.open_chats.set(open_chats)
    return generate_latest(app.metrics.registry)
