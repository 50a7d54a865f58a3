"""`worker`: an RQ worker with its scheduler, on the bridge's queues (timers, exports, reports).

Jobs run in a fresh process each, take ids and the config path, and change state in Redis.
"""

from rq import Queue, Worker

from bridge.config.root import BridgeConfig
from bridge.redis_connect import connect_sync, redis_endpoint

QUEUE_NAMES = ("timers", "jobs")


def queue_name(config: BridgeConfig, name: str) -> str:
    """Queues carry the key prefix, so two bridges can share one Redis."""
    return f"{config.redis.key_prefix}-{name}"


def run_worker(config: BridgeConfig, burst: bool = False) -> None:
    connection = connect_sync(redis_endpoint(config))
    queues = [Queue(queue_name(config, n), connection=connection) for n in QUEUE_NAMES]
    Worker(queues, connection=connection).work(with_scheduler=True, burst=burst)
