"""The one place that turns the `[redis]` section into clients: asyncio ones for the service, synchronous ones
for RQ; to a URL, or to whichever node the sentinels name as `master_name`'s primary.

A Sentinel-backed client asks the sentinels for the primary whenever it opens a connection, and a connection to a
demoted primary (READONLY) is dropped, so after a failover the next command reaches the new primary with no
restart. Through Sentinel, commands that meet the failover window (refused or reset connections, READONLY) are
retried with backoff for about `RETRY_WINDOW` seconds before the caller sees the error; the caller's own retries
(the widget's resend, Slack's redelivery) then find the message stored once, since appends are idempotent per
client message id. By URL there is no other node to wait for: redis-py's few retries, then the caller hears that
Redis is away (503 to the widget) at once.
"""

import functools
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from redis import ConnectionPool as SyncConnectionPool
from redis import Redis as SyncRedis
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import (
    Sentinel,
    SentinelConnectionPool,
    SentinelManagedConnection,
    SentinelManagedSSLConnection,
)
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry as SyncRetry
from redis.sentinel import Sentinel as SyncSentinel
from redis.sentinel import SentinelManagedConnection as SyncSentinelManagedConnection
from redis.sentinel import SentinelManagedSSLConnection as SyncSentinelManagedSSLConnection

from bridge.config.root import BridgeConfig

REDIS_CONNECTIONS = 200
"""Per process. A burst beyond it waits for a free connection instead of failing (redis-py's default pool
raises MaxConnectionsError past 100, which 100 busy chats reach)."""
RETRIES = 14
BACKOFF_CAP = 2.0
RETRY_WINDOW = 20.0
"""Roughly what `RETRIES` with `BACKOFF_CAP` add up to: enough for Sentinel to notice a dead primary and promote a
replica with `down-after-milliseconds` of a few seconds; longer outages reach the caller as errors."""
SENTINEL_TIMEOUT = 2.0
RETRIED_ERRORS = (RedisConnectionError, RedisTimeoutError, ReadOnlyError)


@dataclass(frozen=True)
class RedisEndpoint:
    """Where Redis is and how to log in: everything a process needs to reach it, passwords kept out of repr."""

    url: str = ""
    sentinels: tuple[tuple[str, int], ...] = ()
    master_name: str = ""
    username: str = ""
    password: str = field(default="", repr=False)
    sentinel_username: str = ""
    sentinel_password: str = field(default="", repr=False)
    tls: bool = False
    tls_ca_file: str = ""
    tls_cert_file: str = ""
    tls_key_file: str = ""

    def describe(self) -> str:
        """Where it points, for logs and error messages: never a password (a URL's user info is left out)."""
        if self.sentinels:
            return f"primary {self.master_name!r} via sentinels {', '.join(_address(h, p) for h, p in self.sentinels)}"
        parts = urlsplit(self.url)
        host = parts.netloc.rpartition("@")[2]
        return urlunsplit((parts.scheme, host, parts.path, "", ""))

    def data_options(self) -> dict[str, Any]:
        """Login and TLS options for the data nodes (primary, replicas)."""
        options: dict[str, Any] = {}
        if self.username:
            options["username"] = self.username
        if self.password:
            options["password"] = self.password
        return options | self._tls_options()

    def sentinel_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"socket_timeout": SENTINEL_TIMEOUT, "socket_connect_timeout": SENTINEL_TIMEOUT}
        if self.sentinel_username:
            options["username"] = self.sentinel_username
        if self.sentinel_password:
            options["password"] = self.sentinel_password
        return options | self._tls_options()

    def _tls_options(self) -> dict[str, Any]:
        if not self.tls:
            return {}
        options: dict[str, Any] = {"ssl": True}
        for key, value in (("ssl_ca_certs", self.tls_ca_file), ("ssl_certfile", self.tls_cert_file),
                           ("ssl_keyfile", self.tls_key_file)):
            if value:
                options[key] = value
        return options


def _address(host: str, port: int) -> str:
    """`host:port`, an IPv6 address in brackets as the config writes it."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def redis_endpoint(config: BridgeConfig, url: str | None = None) -> RedisEndpoint:
    """The config's Redis; `url` stands in for `config.redis_url` (tests and benches hand their own server)."""
    r = config.redis
    common: dict[str, Any] = {
        "username": r.username, "password": r.password.get_secret_value(), "tls": r.tls,
        "tls_ca_file": str(config.resolve_path(r.tls_ca_file)) if r.tls_ca_file else "",
        "tls_cert_file": str(config.resolve_path(r.tls_cert_file)) if r.tls_cert_file else "",
        "tls_key_file": str(config.resolve_path(r.tls_key_file)) if r.tls_key_file else "",
    }
    if r.sentinels:
        sentinels = tuple((host.strip("[]"), int(port))  # the socket takes an IPv6 address without brackets
                          for host, _, port in (a.rpartition(":") for a in r.sentinels))
        return RedisEndpoint(sentinels=sentinels, master_name=r.master_name, sentinel_username=r.sentinel_username,
                             sentinel_password=r.sentinel_password.get_secret_value(), **common)
    return RedisEndpoint(url=config.redis_url if url is None else url, **common)


def connect_redis(target: RedisEndpoint | str) -> Redis:
    """An asyncio client (text replies) with a blocking pool of `REDIS_CONNECTIONS` and failover retries."""
    endpoint = RedisEndpoint(url=target) if isinstance(target, str) else target
    options: dict[str, Any] = {
        "max_connections": REDIS_CONNECTIONS, "timeout": 30, "decode_responses": True, "health_check_interval": 30,
    }
    if endpoint.sentinels:
        sentinel = Sentinel(list(endpoint.sentinels), sentinel_kwargs=endpoint.sentinel_options(),
                            **endpoint.data_options())
        return sentinel.master_for(endpoint.master_name, redis_class=Redis,
                                   connection_pool_class=_BlockingSentinelPool,
                                   connection_class=_FollowingSSL if endpoint.tls else _Following,
                                   retry=Retry(ExponentialWithJitterBackoff(base=0.05, cap=BACKOFF_CAP), RETRIES,
                                               RETRIED_ERRORS), **options)
    pool = BlockingConnectionPool.from_url(_url_for(endpoint), **options, **_url_data_options(endpoint))
    return Redis.from_pool(pool)


@functools.cache
def connect_sync(endpoint: RedisEndpoint) -> SyncRedis:
    """RQ's synchronous client, one thread-safe pool per endpoint and process: a new connection per job cost a
    connect and a health check each time (a burst of closing chats spent more on that than on the jobs)."""
    if endpoint.sentinels:
        sentinel = SyncSentinel(list(endpoint.sentinels), sentinel_kwargs=endpoint.sentinel_options(),
                                **endpoint.data_options())
        retry = SyncRetry(ExponentialWithJitterBackoff(base=0.05, cap=BACKOFF_CAP), RETRIES, RETRIED_ERRORS)
        return sentinel.master_for(endpoint.master_name, redis_class=SyncRedis, retry=retry,
                                   connection_class=_SyncFollowingSSL if endpoint.tls else _SyncFollowing)
    return SyncRedis(connection_pool=SyncConnectionPool.from_url(_url_for(endpoint), **_url_data_options(endpoint)))


def _url_for(endpoint: RedisEndpoint) -> str:
    """`tls = true` with a redis:// URL means rediss://; redis-py picks the TLS connection by the scheme."""
    if endpoint.tls and endpoint.url.startswith("redis://"):
        return "rediss://" + endpoint.url.removeprefix("redis://")
    return endpoint.url


def _url_data_options(endpoint: RedisEndpoint) -> dict[str, Any]:
    """The scheme already says TLS or not; the rest of the TLS and login options go to the connection."""
    options = endpoint.data_options()
    options.pop("ssl", None)
    if not _url_for(endpoint).startswith("rediss://"):
        for key in ("ssl_ca_certs", "ssl_certfile", "ssl_keyfile"):
            options.pop(key, None)
    return options


class _BlockingSentinelPool(SentinelConnectionPool, BlockingConnectionPool):
    """A Sentinel pool that waits for a free connection past its size, as the URL pool does."""


class _Following(SentinelManagedConnection):
    """Asks the sentinels for the primary on every (re)connect. redis-py 8.1 does so only when the pool hands
    out a connection: a command's own retry reconnects to the address it had, the dead primary's, and fails."""

    async def _connect(self) -> None:
        if self.connection_pool.is_master:
            self.host, self.port = await self.connection_pool.get_master_address()
        await super()._connect()


class _FollowingSSL(_Following, SentinelManagedSSLConnection):
    pass


class _SyncFollowing(SyncSentinelManagedConnection):
    """`_Following` for RQ's synchronous client."""

    def _connect(self) -> Any:
        if self.connection_pool.is_master:
            self.host, self.port = self.connection_pool.get_master_address()
        return super()._connect()


class _SyncFollowingSSL(_SyncFollowing, SyncSentinelManagedSSLConnection):
    pass
