"""`csr report ... tag:refund outcome:resolved`: a report over only the chats filed that way.

A chat counts when it carries every tag named and, with an outcome named, ended with it (`outcome:none`:
ended without one; a chat still open has no outcome yet). Its live record gives the tags of a chat still
open, the archive those of a closed one.
"""

from dataclasses import dataclass

from bridge.commands.registry import CommandError
from bridge.domain.tags import MAX_TAGS, NO_OUTCOME, BadTag, normalise_tag
from reports.history import ChatHistory

TAG, OUTCOME = "tag:", "outcome:"


@dataclass(frozen=True)
class ChatFilter:
    tags: tuple[str, ...] = ()
    outcome: str | None = None
    """None: any; "": chats that ended without an outcome."""

    def matches(self, history: ChatHistory) -> bool:
        if not all(t in history.tags for t in self.tags):
            return False
        return self.outcome is None or (self.outcome == history.outcome and history.ended)

    @property
    def label(self) -> str:
        """`, tagged refund and vip, outcome resolved` for a report's title; empty without a filter."""
        parts = [f"tagged {' and '.join(self.tags)}"] if self.tags else []
        if self.outcome is not None:
            parts.append(f"outcome {self.outcome or NO_OUTCOME}")
        return "".join(f", {p}" for p in parts)

    @property
    def stem(self) -> str:
        """The same for a file name: `-tag-refund-outcome-resolved`."""
        words = [f"tag-{t}" for t in self.tags]
        if self.outcome is not None:
            words.append(f"outcome-{self.outcome or NO_OUTCOME}")
        return "".join(f"-{w}" for w in words)


def is_filter(word: str) -> bool:
    return word.lower().startswith((TAG, OUTCOME))


def add_filter(found: ChatFilter, word: str, outcomes: list[str]) -> ChatFilter:
    """`found` with one more `tag:X` or `outcome:Y` (`word`, checked by `is_filter`); CommandError when it
    names no well-formed tag or no configured outcome."""
    key, _, value = word.partition(":")
    try:
        if key.lower() == TAG[:-1]:
            tag = normalise_tag(value)
            if len(found.tags) >= MAX_TAGS:
                raise CommandError(f"A chat carries at most {MAX_TAGS} tags; name fewer.")
            return ChatFilter(tuple(dict.fromkeys((*found.tags, tag))), found.outcome)
        outcome = normalise_tag(value, "An outcome")
    except BadTag as exc:
        raise CommandError(str(exc)) from None
    if outcome != NO_OUTCOME and outcome not in outcomes:
        choices = ", ".join([*outcomes, NO_OUTCOME])
        raise CommandError(f"`{outcome}` is not an outcome; pick one of: {choices}.")
    if found.outcome is not None:
        raise CommandError("Name one outcome at most: a chat ends with one.")
    return ChatFilter(found.tags, "" if outcome == NO_OUTCOME else outcome)
