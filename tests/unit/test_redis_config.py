"""[redis] by URL or through Sentinel: what is accepted, what is refused with its key path, and that no
password reaches a message, a log line or a repr."""

import pytest

from bridge.config import ConfigError, parse_config
from bridge.config.secrets_env import secret_values
from bridge.redis_connect import redis_endpoint
from testkit.configs import base_raw, merged

SENTINELS = {"sentinels": ["10.0.0.1:26379", "sentinel-2.internal:26380", "[::1]:26381"], "master_name": "csr"}


def problems(raw: dict, environ: dict | None = None) -> list[str]:
    with pytest.raises(ConfigError) as err:
        parse_config(raw, environ=environ or {})
    return [str(p) for p in err.value.problems]


def test_sentinels_with_passwords_from_the_environment() -> None:
    raw = merged(base_raw(), {"redis": {**SENTINELS, "tls": True, "wait_replicas": 1}})
    cfg = parse_config(raw, environ={"CSR_REDIS_PASSWORD": "data-pw-1", "CSR_REDIS_SENTINEL_PASSWORD": "sent-pw-2"})
    endpoint = redis_endpoint(cfg)
    assert endpoint.sentinels == (("10.0.0.1", 26379), ("sentinel-2.internal", 26380), ("::1", 26381))
    assert "[::1]:26381" in endpoint.describe()
    assert endpoint.master_name == "csr"
    assert endpoint.data_options()["password"] == "data-pw-1" and endpoint.data_options()["ssl"] is True
    assert endpoint.sentinel_options()["password"] == "sent-pw-2"
    assert cfg.redis.external and cfg.redis.wait_replicas == 1
    assert {"data-pw-1", "sent-pw-2"} <= set(secret_values(cfg))  # the log redactor searches for them
    for text in (endpoint.describe(), repr(endpoint), repr(cfg.redis)):
        assert "data-pw-1" not in text and "sent-pw-2" not in text


def test_a_url_password_stays_out_of_the_description() -> None:
    cfg = parse_config(merged(base_raw(), {"redis": {"url": "redis://app:url-pw-3@redis.internal:6380/2"}}),
                       environ={})
    assert redis_endpoint(cfg).describe() == "redis://redis.internal:6380/2"


@pytest.mark.parametrize(("redis", "path", "says"), [
    ({**SENTINELS, "url": "redis://x"}, "redis", "not both"),
    ({"sentinels": ["10.0.0.1:26379"]}, "redis", "master_name"),
    ({"master_name": "csr"}, "redis", "sentinels"),
    ({"sentinels": ["10.0.0.1"], "master_name": "csr"}, "redis.sentinels", "host:port"),
    ({"sentinels": ["10.0.0.1:99999"], "master_name": "csr"}, "redis.sentinels", "host:port"),
    ({"sentinels": ["a b:1\x00"], "master_name": "csr"}, "redis.sentinels", "host:port"),
    ({"sentinels": ["::1:26379"], "master_name": "csr"}, "redis.sentinels", "[IPv6]:port"),
    ({"sentinels": ["[host]:26379"], "master_name": "csr"}, "redis.sentinels", "host:port"),
    ({"wait_replicas": -1}, "redis.wait_replicas", ""),
    ({"wait_timeout_ms": 0}, "redis.wait_timeout_ms", ""),
])
def test_bad_redis_sections_name_their_key(redis: dict, path: str, says: str) -> None:
    out = problems(merged(base_raw(), {"redis": redis}))
    assert any(p.startswith(f"{path}:") and says in p for p in out), out


def test_attachments_in_the_database_need_postgresql() -> None:
    out = problems(merged(base_raw(), {"store": {"attachments": "database"}}))
    assert any(p.startswith("store.attachments:") and "postgresql" in p for p in out)
    ok = parse_config(merged(base_raw(), {"store": {"url": "postgresql+asyncpg://u@127.0.0.1/x",
                                                    "attachments": "database"}}), environ={})
    assert ok.store.attachments == "database"
