"""The two appservice tokens: from the config or the environment, else generated once into data_dir.

`as_token` is the bridge's credential towards the homeserver, `hs_token` the homeserver's towards the
bridge. Generated ones are kept in a file only the bridge's user can read (0600), so the registration the
admin installed keeps working across restarts; they are never printed or logged.
"""

import json
import os
import secrets
from pathlib import Path

from pydantic import SecretStr

from bridge.config.root import BridgeConfig
from bridge.startup import StartupError

TOKENS_FILE = "matrix-appservice-tokens.json"


def tokens_file(config: BridgeConfig) -> Path:
    return config.data_path / TOKENS_FILE


def with_tokens(config: BridgeConfig, create: bool = False) -> BridgeConfig:
    """The config with both tokens filled in; `create` makes and keeps the missing ones (else StartupError)."""
    cfg = config.matrix
    given = {"as_token": cfg.as_token.get_secret_value(), "hs_token": cfg.hs_token.get_secret_value()}
    if all(given.values()):
        return config
    path = tokens_file(config)
    stored = _read(path)
    missing = [name for name, value in given.items() if not value and not stored.get(name)]
    if missing and not create:
        raise StartupError(f"matrix.mode is appservice but {', '.join('matrix.' + m for m in missing)} is not set "
                           f"and {path} does not hold it: run `csr-bridge matrix registration -c CONFIG` first")
    if missing:
        stored.update({name: secrets.token_urlsafe(48) for name in missing})
        _write(path, stored)
    tokens = {name: SecretStr(value or stored[name]) for name, value in given.items()}
    return config.model_copy(update={"matrix": cfg.model_copy(update=tokens)})


def _read(path: Path) -> dict[str, str]:
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise StartupError(f"cannot read the appservice tokens in {path}: {exc.__class__.__name__}") from None
    return {k: v for k, v in raw.items() if isinstance(v, str) and v} if isinstance(raw, dict) else {}


def _write(path: Path, tokens: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(tokens, out)
    os.chmod(path, 0o600)
