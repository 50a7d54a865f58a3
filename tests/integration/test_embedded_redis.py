"""The embedded redis-server: starts on loopback with an append-only file, stops cleanly."""

from pathlib import Path

import pytest
from redis import Redis

from bridge.embedded_redis import EmbeddedRedis, RedisServerMissing


def test_start_keeps_data_in_an_append_only_file_and_stops(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path / "redis")
    server.start()
    try:
        client = Redis.from_url(server.url)
        client.set("k", "v")
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        assert client.config_get("bind")["bind"] == "127.0.0.1"
        client.close()
    finally:
        server.stop()
    assert not server.running
    assert any(p.name.startswith("appendonly") for p in (tmp_path / "redis").iterdir())
    again = EmbeddedRedis(tmp_path / "redis", port=server.port)
    again.start()
    try:
        assert Redis.from_url(again.url).get("k") == b"v"
    finally:
        again.stop()


def test_missing_binary_names_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RedisServerMissing, match="apt-get install redis-server"):
        EmbeddedRedis(tmp_path / "redis").start()
