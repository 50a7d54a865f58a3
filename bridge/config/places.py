"""Where a queue's chat threads open: one channel (or room), or a list the bridge spreads new chats over.

    general = "C0123GENERAL"
    general = ["C0123GENERAL1", "C0123GENERAL2"]

Slack takes about one post a second per channel, thread replies included, so a busy queue needs more than
one; each new chat's thread goes to the least busy of its queue's channels and stays there.
"""

import unicodedata
from collections.abc import Mapping
from typing import Annotated

from pydantic import AfterValidator, Discriminator, StringConstraints, Tag

ONE_PLACE, PLACE_LIST = "(one)", "(list)"
"""Which form a queue's places were written in; the loader leaves these out of key paths in its messages."""


def _plain(value: str) -> str:
    """Slack and Matrix ids hold no whitespace or control characters: one is a paste gone wrong, and a NUL or a
    newline would cut or split the id in logs and keys. Refused at start, not found as chats that never open."""
    for at, char in enumerate(value, 1):
        if char.isspace() or unicodedata.category(char) == "Cc":
            kind = "whitespace" if char.isspace() else "a control character"
            raise ValueError(f"{kind} (U+{ord(char):04X}) at character {at}: ids hold neither")
    return value


_Id = Annotated[str, StringConstraints(min_length=1, max_length=255), AfterValidator(_plain)]


def _form(value: object) -> str:
    return PLACE_LIST if isinstance(value, list) else ONE_PLACE


def _distinct(value: str | list[str]) -> str | list[str]:
    if isinstance(value, str):
        return value
    if not value:
        raise ValueError("give at least one id, or remove the queue's line")
    twice = sorted({v for v in value if value.count(v) > 1})
    if twice:
        raise ValueError(f"listed twice: {', '.join(twice)}")
    return value


Places = Annotated[Annotated[_Id, Tag(ONE_PLACE)] | Annotated[list[_Id], Tag(PLACE_LIST)],
                   Discriminator(_form), AfterValidator(_distinct)]
"""A queue's channel or room: one id, or a non-empty list of distinct ids."""


def places_of(table: Mapping[str, str | list[str]], queue: str) -> tuple[str, ...]:
    """A queue's ids in the order written; empty when the queue has none on this platform."""
    value = table.get(queue, ())
    return (value,) if isinstance(value, str) else tuple(value)


def all_places(table: Mapping[str, str | list[str]]) -> set[str]:
    """Every id any queue names (a channel may serve several queues)."""
    return {place for queue in table for place in places_of(table, queue)}
