"""The registration file an admin adds to the homeserver (Synapse: `app_service_config_files`).

It names the bridge's bot (`sender_localpart`), claims the ghosts' user namespace exclusively, turns rate
limiting off for the bridge's users, and asks for typing and receipts (`receive_ephemeral`, and MSC2409's
older key for homeservers from before it was stable).
"""

import re
from pathlib import Path
from typing import Any

import yaml

from bridge.config.matrix import MatrixConfig


def ghost_regex(cfg: MatrixConfig) -> str:
    return f"@{re.escape(cfg.ghost_prefix)}.*:{re.escape(cfg.server_name)}"


def registration(cfg: MatrixConfig) -> dict[str, Any]:
    return {
        "id": cfg.appservice_id,
        "url": cfg.appservice_url.rstrip("/"),
        "as_token": cfg.as_token.get_secret_value(),
        "hs_token": cfg.hs_token.get_secret_value(),
        "sender_localpart": cfg.localpart,
        "namespaces": {"users": [{"exclusive": True, "regex": ghost_regex(cfg)}], "aliases": [], "rooms": []},
        "rate_limited": False,
        "receive_ephemeral": True,
        "de.sorunome.msc2409.push_ephemeral": True,
    }


def write_registration(cfg: MatrixConfig, path: Path) -> None:
    """Written 0600: it holds both tokens."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(yaml.safe_dump(registration(cfg), sort_keys=False))
