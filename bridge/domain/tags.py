"""Tags and outcomes: short words a CSR files a chat under (`csr tag refund vip`, `csr end resolved`).

A tag is typed on any platform and then becomes a SQL value, a report filter and a metric label, so it has
one safe shape: ASCII lowercase letters, digits, `-` and `_`, starting with a letter or digit. Input is
lowercased (and a leading `#` dropped) first; anything else is refused with a sentence saying why.
"""

import re
from collections.abc import Iterable

TAG_MAX_CHARS = 32
MAX_TAGS = 10
"""Tags one chat may carry: enough to classify it, too few to turn tagging into note-taking."""
NO_OUTCOME = "none"
"""How a chat that ended without an outcome is named in filters and metrics (never a configured outcome)."""

_SHAPE = re.compile(r"[a-z0-9][a-z0-9_-]*")
_SHOWN_CHARS = 40


class BadTag(ValueError):
    """A tag (or outcome) that is not one safe lowercase word; the message says what was wrong."""


def shown(word: str) -> str:
    """A refused word as an error may quote it: printable ASCII, cut short; otherwise not quoted at all."""
    if word.isascii() and word.isprintable() and "`" not in word:
        return f"`{word[:_SHOWN_CHARS]}{'…' if len(word) > _SHOWN_CHARS else ''}`"
    return "that one"


def normalise_tag(word: str, what: str = "A tag") -> str:
    """The tag `word` stands for (`#VIP` -> `vip`), or BadTag whose message starts with `what`. ASCII is
    checked before lowercasing, since some non-ASCII letters lowercase to ASCII ones (the Kelvin sign to `k`)."""
    rule = "the letters a-z, digits, `-` and `_`, starting with a letter or digit"
    if not word.isascii():
        raise BadTag(f"{what} uses only {rule}; {shown(word)} has other characters.")
    tag = word.removeprefix("#").lower()
    if not tag:
        raise BadTag(f"{what} can't be empty.")
    if len(tag) > TAG_MAX_CHARS:
        raise BadTag(f"{what} is at most {TAG_MAX_CHARS} characters; {shown(word)} has {len(tag)}.")
    if not _SHAPE.fullmatch(tag):
        raise BadTag(f"{what} uses only {rule}; {shown(word)} is not one.")
    return tag


def normalise_tags(words: Iterable[str]) -> list[str]:
    """Each word's tag, in order, once."""
    return list(dict.fromkeys(normalise_tag(w) for w in words))
