"""The one way an RQ job boots an app: part of the composition root, kept apart from `bridge.jobs` (which the
features use to queue jobs) so that queueing never imports the bootstrap.

A job runs in a fresh process: it loads the config, connects to Redis, boots its own app, does its work and
leaves; it never holds a platform client.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bridge.app import BridgeApp
from bridge.bootstrap import bootstrap
from bridge.config import load_config
from bridge.redis_connect import connect_redis, redis_endpoint

T = TypeVar("T")


def run_in_app(config_path: str, work: Callable[[BridgeApp], Awaitable[T]]) -> T:
    """Boots an app for one job and runs `work` on it in a new event loop."""
    config = load_config(config_path)

    async def main() -> T:
        redis = connect_redis(redis_endpoint(config))
        try:
            return await work(bootstrap(config, redis, config.redis_url, config_path))
        finally:
            await redis.aclose()

    return asyncio.run(main())
