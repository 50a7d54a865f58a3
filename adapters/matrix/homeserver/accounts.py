"""The embedded homeserver's accounts and their passwords, generated once and kept in its folder.

The file is for people too: it is where a CSR finds the password to sign in with a Matrix client.
"""

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

BOT_ROLE = "bridge bot"
ADMIN = "admin"
ADMIN_ROLE = "homeserver admin"


@dataclass(frozen=True)
class Account:
    localpart: str
    role: str
    password: str


def load_accounts(file: Path, wanted: dict[str, str]) -> dict[str, Account]:
    """`wanted` maps localpart to role; known passwords are kept, new accounts get a fresh one."""
    known: dict[str, dict[str, str]] = {}
    if file.exists():
        known = json.loads(file.read_text(encoding="utf-8")).get("accounts", {})
    return {lp: Account(lp, role, known.get(lp, {}).get("password") or secrets.token_urlsafe(12))
            for lp, role in wanted.items()}


def save_accounts(file: Path, homeserver: str, accounts: dict[str, Account]) -> None:
    body = {"homeserver": homeserver,
            "accounts": {a.localpart: {"role": a.role, "password": a.password} for a in accounts.values()}}
    # Written whole under a temporary name and created 0600: the passwords never sit in a readable file.
    tmp = file.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(body, out, indent=2)
        out.write("\n")
    tmp.replace(file)
