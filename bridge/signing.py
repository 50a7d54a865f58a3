"""The bridge's signing key: the widget's session tokens and the reply links and codes in emails are signed
with it (each with its own salt).

It comes from the config (`widget.signing_key`), or is generated once into the data directory so every
process that shares that directory (and every restart) accepts the same signatures.
"""

import os
import secrets
from pathlib import Path

KEY_FILE = "widget-signing-key"


def signing_key(configured: str, data_dir: Path) -> str:
    """The configured key, else the one kept in the data directory (created on first use)."""
    if configured:
        return configured
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        draft = data_dir / f".{KEY_FILE}.{secrets.token_hex(4)}"
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
            f.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)  # atomic: if another process got there first, theirs wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()
