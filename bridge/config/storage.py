"""Where state lives: Redis for live state, an SQL store for archived records."""

from pydantic import Field

from bridge.config.base import Section


class RedisConfig(Section):
    url: str = ""
    """Empty means embedded: `serve` starts its own redis-server in the data directory."""
    key_prefix: str = Field("csr", pattern=r"^[A-Za-z0-9_.-]{1,32}$")


class StoreConfig(Section):
    url: str = ""
    """SQLAlchemy URL; empty means an SQLite file in the data directory."""
