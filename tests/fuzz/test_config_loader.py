"""Random and damaged configs: the loader never shows a traceback, only ConfigError problems with key paths.

Three sources: random TOML-ish tables with the real key names (so validation goes deep), the valid
example config with one value replaced at a random path, and random bytes written as the file.
"""

import copy
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.config import BridgeConfig, ConfigError, load_config, parse_config
from testkit.configs import base_raw, example_raw

KEYS = sorted({
    "data_dir", "server", "redis", "store", "routing", "queues", "agents", "slack", "matrix", "widget", "knowledge",
    "transcripts", "cases", "reports", "name", "display_name", "skills", "strategy", "offer_timeout", "max_wait",
    "overflow", "id", "role", "queues", "capacity", "supervises", "slack_user_id", "matrix_user_id", "enabled",
    "mode", "bot_token", "signing_secret", "channels", "rooms", "topics", "queue", "priority", "uploads",
    "max_bytes", "allowed_types", "phrases", "key", "text", "url", "port", "public_url", "allowed_origins",
    "homeserver", "user_id", "password", "access_token", "email_on_close", "smtp", "host", "webhook_secret",
    "fields", "default_capacity", "key_prefix", "signing_key", "token_ttl_hours", "max_message_chars",
})
SCALAR = (st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats() | st.text(max_size=20)
          | st.sampled_from(["general", "billing", "alice", "csr", "supervisor", "http", "socket", "", "-1",
                             "https://x.example/", "redis://127.0.0.1:1/0", "least-busy"]))
KEY = st.sampled_from(KEYS) | st.text(max_size=10)
VALUE = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEY, inner, max_size=5),
                     max_leaves=25)
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _outcome(run: Any) -> BridgeConfig | ConfigError:
    """The config, or the ConfigError; any other exception fails the test with its traceback."""
    try:
        return run()
    except ConfigError as err:
        assert err.problems, "a ConfigError names at least one problem"
        for problem in err.problems:
            assert problem.path and problem.what and problem.fix, problem
            assert str(problem).startswith(problem.path + ": ")
        return err


@FUZZ
@given(st.dictionaries(KEY, VALUE, max_size=8))
def test_random_tables_give_config_errors_with_paths(raw: dict[str, Any]) -> None:
    _outcome(lambda: parse_config(raw, base_dir="/tmp", environ={}))


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        out += [p for k, v in value.items() for p in _paths(v, (*prefix, k))]
    elif isinstance(value, list):
        out += [p for i, v in enumerate(value) for p in _paths(v, (*prefix, i))]
    return out


@FUZZ
@given(data=st.data(), base=st.sampled_from(["example", "tests"]))
def test_one_damaged_value_is_reported_not_raised(data: st.DataObject, base: str) -> None:
    raw = copy.deepcopy(example_raw() if base == "example" else base_raw())
    path = data.draw(st.sampled_from(_paths(raw)), label="path")
    parent = raw
    for part in path[:-1]:
        parent = parent[part]
    if data.draw(st.booleans(), label="delete"):
        del parent[path[-1]]
    else:
        parent[path[-1]] = data.draw(VALUE, label="value")
    outcome = _outcome(lambda: parse_config(raw, base_dir="/tmp", environ={}))
    if isinstance(outcome, ConfigError):
        assert not any("Traceback" in str(p) for p in outcome.problems)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_any_file_content_gives_a_config_error(tmp_path: Path, content: bytes) -> None:
    file = tmp_path / "config.toml"
    file.write_bytes(content)
    outcome = _outcome(lambda: load_config(file, environ={}))
    assert isinstance(outcome, ConfigError), "a file without queues is never a valid config"
