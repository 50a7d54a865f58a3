"""Where state lives: Redis for live state, an SQL store for archived records."""

import re
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from bridge.config.base import Section

SENTINEL_ADDRESS = r"^(?:[A-Za-z0-9_.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\]):[0-9]{1,5}$"
"""A name or IPv4 address, or an IPv6 address in brackets (as in a URL), then the port."""


class RedisConfig(Section):
    url: str = ""
    """Empty (and no sentinels) means embedded: `serve` starts its own redis-server in the data directory."""
    sentinels: list[str] = Field(default_factory=list)
    """`host:port` of each Redis Sentinel; with them the bridge asks the sentinels for `master_name`'s primary
    and follows a failover without a restart. Exclusive with `url`."""
    master_name: str = Field("", max_length=200)
    username: str = ""
    password: SecretStr = SecretStr("")
    """The data nodes' password (the primary's and replicas'), with `url` or `sentinels`."""
    sentinel_username: str = ""
    sentinel_password: SecretStr = SecretStr("")
    tls: bool = False
    """TLS to the data nodes and the sentinels (with `url`, a `rediss://` URL does the same)."""
    tls_ca_file: str = ""
    tls_cert_file: str = ""
    tls_key_file: str = ""
    wait_replicas: int = Field(0, ge=0, le=16)
    """When above 0, a message is acknowledged to its sender only once this many replicas hold it (Redis WAIT),
    so a failover cannot lose what a sender was told is stored."""
    wait_timeout_ms: int = Field(1000, ge=1, le=60_000)
    key_prefix: str = Field("csr", pattern=r"^[A-Za-z0-9_.-]{1,32}$")

    @field_validator("sentinels")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        bad = [a for a in value if not re.fullmatch(SENTINEL_ADDRESS, a) or not 0 < int(a.rsplit(":", 1)[1]) < 65536]
        if bad:
            raise ValueError(f"each sentinel is \"host:port\" or \"[IPv6]:port\" (port 1-65535); "
                             f"not: {', '.join(map(repr, bad))}")
        return value

    @model_validator(mode="after")
    def _one_way_to_redis(self) -> "RedisConfig":
        if self.sentinels and self.url:
            raise ValueError("set either url or sentinels (with master_name), not both")
        if self.sentinels and not self.master_name:
            raise ValueError("sentinels need master_name: the name the sentinels monitor the primary by")
        if self.master_name and not self.sentinels:
            raise ValueError("master_name is used with sentinels; list them as sentinels = [\"host:port\", ...]")
        return self

    @property
    def external(self) -> bool:
        """Whether an admin runs this Redis (by URL or Sentinel), rather than `serve` starting its own."""
        return bool(self.url or self.sentinels)


class StoreConfig(Section):
    url: str = ""
    """SQLAlchemy URL; empty means an SQLite file in the data directory."""
    attachments: Literal["disk", "database"] = "disk"
    """Where attachment bytes live: `data_dir` on this host, or the store (PostgreSQL only), which every host
    of the bridge reaches without a shared filesystem."""
