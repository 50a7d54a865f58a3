"""`csr-bridge kb reindex`: checks every article, reports problems, and tells running bridges to re-index."""

import argparse
import asyncio
import sys
from typing import Any

from redis.exceptions import RedisError

from bridge.config.root import BridgeConfig
from bridge.keys import Keys
from knowledge.base import KnowledgeBase


def add_parser(sub: Any, default_config: str) -> None:
    p = sub.add_parser("kb", help="knowledge base: re-index the articles")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    r = actions.add_parser("reindex", help="check every article and make running bridges re-index them")
    r.add_argument("--config", "-c", default=default_config, help="TOML config file (default: %(default)s)")
    r.set_defaults(run=run)


def run(cfg: BridgeConfig, _config_path: str, args: argparse.Namespace) -> int:
    return asyncio.run(_reindex(cfg))


async def _reindex(cfg: BridgeConfig) -> int:
    kb = KnowledgeBase(cfg)
    result = await kb.reindex()
    print(f"{result.articles} article(s) indexed from {kb.folder}")
    for warning in await kb.warnings():
        print(f"  - {warning}", file=sys.stderr)
    from bridge.events.feed import ChangeFeed
    from bridge.redis_connect import connect_redis, redis_endpoint

    redis = connect_redis(redis_endpoint(cfg))
    try:
        await ChangeFeed(redis, Keys(cfg.redis.key_prefix)).publish("kb", "reindex")
        print("running bridges were told to re-index")
    except RedisError:
        print("no running bridge reached: bridges index the articles when they start and when files change")
    finally:
        await redis.aclose()
    return 1 if result.problems else 0
