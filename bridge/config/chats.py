"""How CSRs file chats: the outcomes `csr end` takes, and the tags `csr tag` may use."""

from typing import Annotated

from pydantic import AfterValidator, Field, field_validator

from bridge.config.base import Section
from bridge.domain.tags import NO_OUTCOME, BadTag, normalise_tag, shown


def _word(value: str) -> str:
    """Written as the bridge stores it, so what the file says is what filters and metrics show."""
    try:
        tag = normalise_tag(value, "Each")
    except BadTag as exc:
        raise ValueError(str(exc)) from None
    if tag != value:
        raise ValueError(f"write {shown(value)} as `{tag}` (lowercase, no #)")
    return value


def _outcome(value: str) -> str:
    if _word(value) == NO_OUTCOME:
        raise ValueError(f"`{NO_OUTCOME}` names chats that ended without an outcome; pick another word")
    return value


class ChatsConfig(Section):
    outcomes: list[Annotated[str, AfterValidator(_outcome)]] = Field(default_factory=list, max_length=25)
    """What `csr end CHAT OUTCOME` may record (e.g. resolved, follow-up, spam); empty: `csr end` takes none."""
    require_outcome: bool = False
    """`csr end` refuses to end a chat without one of `outcomes` (idle timeouts and customers still end chats)."""
    tags: list[Annotated[str, AfterValidator(_word)]] = Field(default_factory=list, max_length=200)
    """The tags `csr tag` accepts; empty: any well-formed tag. A fixed list keeps reports and the tag metric's
    labels to a known set."""

    @field_validator("outcomes", "tags")
    @classmethod
    def _once_each(cls, values: list[str]) -> list[str]:
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise ValueError(f"listed twice: {', '.join(repeated)}")
        return values
