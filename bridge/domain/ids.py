"""Ids short enough to type in a command (`csr end k3f9x2ab`) yet unguessable enough for URLs."""

import secrets

_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_id(length: int = 10) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))
