"""Reads the TOML file and turns every mistake into a ConfigProblem with a key path and a fix."""

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bridge.config.cross_checks import cross_check
from bridge.config.local_text import BY_LANGUAGE, ONE_TEXT
from bridge.config.places import ONE_PLACE, PLACE_LIST
from bridge.config.problems import ConfigError, ConfigProblem
from bridge.config.root import BridgeConfig
from bridge.config.secrets_env import apply_secret_env

_FIXES = {
    "missing": "add this key",
    "extra_forbidden": "remove it, or check its spelling against config.example.toml",
    "literal_error": "use one of the values listed",
    "string_pattern_mismatch": "use only the allowed characters (see config.example.toml)",
    "greater_than_equal": "raise the number",
    "greater_than": "raise the number",
    "less_than_equal": "lower the number",
    "too_short": "add at least one entry",
    "url_parsing": "write a full URL such as https://chat.example.com",
    "int_parsing": "write a whole number without quotes",
    "float_parsing": "write a number without quotes",
    "bool_parsing": "write true or false",
    "string_type": "write a quoted string",
    "list_type": "write a list: [\"a\", \"b\"]",
    "dict_type": "write a table",
    "model_type": "write a table",
}


def load_config(path: str | os.PathLike[str], environ: dict[str, str] | None = None) -> BridgeConfig:
    file = Path(path)
    try:
        raw: dict[str, Any] = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([ConfigProblem(str(file), "file not found", "pass the path of your config file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        problem = ConfigProblem(str(file), f"cannot read it: {exc.__class__.__name__}", "check the file")
        raise ConfigError([problem]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([ConfigProblem(str(file), f"not valid TOML: {exc}", "fix the syntax at that line")]) from None
    return parse_config(raw, base_dir=str(file.resolve().parent), environ=environ)


def parse_config(raw: dict[str, Any], base_dir: str = ".", environ: dict[str, str] | None = None) -> BridgeConfig:
    apply_secret_env(raw, os.environ if environ is None else environ)
    problems: list[ConfigProblem] = []
    cfg = None
    try:
        cfg = BridgeConfig.model_validate({**raw, "base_dir": base_dir})
    except ValidationError as exc:
        problems += [_problem(err) for err in exc.errors(include_input=False, include_url=False)]
    problems += cross_check(raw)
    if problems or cfg is None:
        raise ConfigError(problems)
    return cfg


def _problem(err: Any) -> ConfigProblem:
    path = _path(err["loc"])
    kind = err["type"]
    what = err["msg"]
    if kind == "literal_error":
        return ConfigProblem(path, what, "use " + what.removeprefix("Input should be "))
    return ConfigProblem(path or "(top level)", what, _FIXES.get(kind, "see config.example.toml for this key"))


def _path(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        if part in (ONE_TEXT, BY_LANGUAGE, ONE_PLACE, PLACE_LIST):  # a value's form, not a key in the file
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
