"""`/metrics`: the process's registry, with the gauges of shared state read from Redis at scrape time
(chats waiting in each queue, open chats by state, offers by outcome, chats ended by outcome, tags added,
archives pending and parked), so every serve process reports the same true values."""

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.asyncio import Redis

from bridge.chats import ChatRepository
from bridge.config.root import BridgeConfig
from bridge.domain.chat import ChatState
from bridge.keys import Keys
from bridge.metrics import Metrics

CONTENT_TYPE = CONTENT_TYPE_LATEST


async def scrape(config: BridgeConfig, redis: Redis, keys: Keys, chats: ChatRepository, m: Metrics) -> bytes:
    """One round trip for the routing and archive counts (their keys are read here directly, in one pipeline)."""
    names = [q.name for q in config.queues]
    async with redis.pipeline(transaction=False) as pipe:
        for name in names:
            pipe.zcard(keys.queue_waiting(name))
        pipe.hgetall(keys.offer_outcomes)
        pipe.zcard(keys.archive_pending)
        pipe.hlen(keys.archive_parked)
        pipe.hgetall(keys.archive_outcomes)
        pipe.hgetall(keys.chats_ended)
        pipe.hgetall(keys.tag_counts)
        *depths, offers, pending, parked, archive_failures, ended, tags = await pipe.execute()
    by_state = await chats.open_by_state()
    m.offers.refresh(offers)
    m.chats_ended.refresh(ended)
    m.tags.refresh(tags)
    m.archive_failures.refresh(archive_failures)
    for name, depth in zip(names, depths):
        m.queue_depth.labels(queue=name).set(depth)
    m.open_chats.clear()  # a state seen once (a `missing` record) must not linger
    for state in sorted({s.value for s in ChatState if s != ChatState.CLOSED} | set(by_state)):
        m.open_chats.labels(state=state).set(by_state.get(state, 0))
    m.archives_pending.set(pending)
    m.archives_parked.set(parked)
    return generate_latest(m.registry)
