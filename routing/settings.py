"""Writes the config the scripts read (queue settings, routing rules) and says who may join which queue."""

from redis.asyncio import Redis

from bridge.config.agents import AgentConfig
from bridge.config.root import BridgeConfig
from bridge.keys import Keys


async def write_settings(redis: Redis, keys: Keys, config: BridgeConfig) -> None:
    """Idempotent; every process writes it on its first routing change, so a config change applies on restart."""
    async with redis.pipeline(transaction=True) as pipe:
        for q in config.queues:
            pipe.hset(keys.queue(q.name), mapping={
                "strategy": q.strategy, "offer_timeout": q.offer_timeout, "max_wait": q.max_wait,
                "overflow": q.overflow, "target": q.target_answer_seconds, "display": q.display_name,
                "message_platform": message_platform(config, q.name),
                "unclaimed_alert": q.unclaimed_alert_minutes * 60,
            })
        pipe.hset(keys.routing_conf, mapping={
            "missed_before_away": config.routing.missed_offers_before_away,
            "idle_timeout": config.routing.customer_idle_timeout,
            "message_keep": config.routing.left_message_keep_days * 86400,
        })
        await pipe.execute()


def allowed_queues(config: BridgeConfig, agent: AgentConfig) -> list[str]:
    """Roster queues the CSR has every required skill for."""
    return [q.name for q in config.queues if agent.can_take(q)]


def missing_skills(config: BridgeConfig, agent: AgentConfig, queue: str) -> list[str]:
    return sorted(set(config.queue(queue).skills) - set(agent.skills))


def message_platform(config: BridgeConfig, queue: str) -> str:
    """Where a left message shows to CSRs: a thread in one of the queue's channels on the first enabled platform."""
    if config.slack.enabled and config.slack.channels_of(queue):
        return "slack"
    if config.matrix.enabled and config.matrix.rooms_of(queue):
        return "matrix"
    return ""
