"""Configs for tests: a small valid base that each test changes where it needs to."""

import copy
import tomllib
from pathlib import Path
from typing import Any

from bridge.config import BridgeConfig, parse_config

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"


def example_raw() -> dict[str, Any]:
    return tomllib.loads(EXAMPLE.read_text())


def base_raw() -> dict[str, Any]:
    """Three queues, four CSRs and a supervisor; no platform enabled."""
    return {
        "data_dir": "data",
        "queues": [
            {"name": "general", "display_name": "General", "offer_timeout": 30},
            {"name": "billing", "display_name": "Billing", "skills": ["billing"], "overflow": "general"},
            {"name": "tech", "display_name": "Tech support", "skills": ["tech"]},
        ],
        "agents": [
            {"id": "alice", "display_name": "Alice", "queues": ["general", "billing"], "skills": ["billing"],
             "slack_user_id": "UALICE", "matrix_user_id": "@alice:localhost"},
            {"id": "bob", "display_name": "Bob", "queues": ["general", "tech"], "skills": ["tech"],
             "slack_user_id": "UBOB", "matrix_user_id": "@bob:localhost"},
            {"id": "carol", "display_name": "Carol", "queues": ["general", "billing", "tech"],
             "skills": ["billing", "tech"], "capacity": 3,
             "slack_user_id": "UCAROL", "matrix_user_id": "@carol:localhost"},
            {"id": "sam", "display_name": "Sam", "role": "supervisor", "queues": ["general"],
             "slack_user_id": "USAM", "matrix_user_id": "@sam:localhost"},
        ],
        "widget": {
            "signing_key": "test-signing-key-0123456789",
            "topics": [
                {"id": "question", "label": "A question", "queue": "general"},
                {"id": "billing", "label": "Billing", "queue": "billing", "priority": 1},
                {"id": "tech", "label": "Tech", "queue": "tech"},
            ],
        },
        "knowledge": {
            "push_allowed_domains": ["example.com"],
            "phrases": [{"key": "greet", "title": "Greeting", "text": "Hi {customer.name}, I'm {agent.name}."}],
        },
    }


def merged(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Deep-merges tables; lists and values in `overrides` replace the base's."""
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def make_config(tmp_path: Path, redis_url: str = "", **overrides: Any) -> BridgeConfig:
    raw = merged(base_raw(), overrides)
    if redis_url:
        raw = merged(raw, {"redis": {"url": redis_url}})
    return parse_config(raw, base_dir=str(tmp_path), environ={})


def write_toml(path: Path, raw: dict[str, Any]) -> Path:
    """Writes a config dict as TOML (the subset our configs use) for CLI and RQ-job tests."""
    lines: list[str] = []
    _emit(lines, raw, [])
    path.write_text("\n".join(lines) + "\n")
    return path


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f'"{k}" = {_value(x)}' for k, x in v.items()) + "}"
    raise TypeError(type(v))


def _emit(lines: list[str], table: dict[str, Any], path: list[str]) -> None:
    scalars = {k: v for k, v in table.items() if not _is_table(v) and not _is_table_list(v)}
    for k, v in scalars.items():
        lines.append(f'"{k}" = {_value(v)}')
    for k, v in table.items():
        if _is_table(v):
            lines.append(f"\n[{'.'.join([*path, k])}]")
            _emit(lines, v, [*path, k])
        elif _is_table_list(v):
            for item in v:
                lines.append(f"\n[[{'.'.join([*path, k])}]]")
                _emit(lines, item, [*path, k])


def _is_table(v: Any) -> bool:
    return isinstance(v, dict)


def _is_table_list(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)
