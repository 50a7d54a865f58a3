"""Which languages customers are served in, and the one for everybody else."""

from pydantic import Field, field_validator, model_validator

from bridge.config.base import Section
from bridge.i18n.languages import DEFAULT_LANGUAGE, SHIPPED_LANGUAGES

LANGUAGE_LIST = ", ".join(SHIPPED_LANGUAGES)


def shipped(code: str) -> str:
    if code not in SHIPPED_LANGUAGES:
        raise ValueError(f"no catalog for language {code[:40]!r}; shipped: {LANGUAGE_LIST}")
    return code


class LanguagesConfig(Section):
    default: str = DEFAULT_LANGUAGE
    """For customers whose wishes match no offered language; also the fallback of per-language texts."""
    offered: list[str] = Field(default_factory=lambda: list(SHIPPED_LANGUAGES), min_length=1)
    """The languages the widget may pick from the browser, `data-lang` or a verified customer's locale."""

    @field_validator("default")
    @classmethod
    def _default_shipped(cls, code: str) -> str:
        return shipped(code)

    @field_validator("offered")
    @classmethod
    def _offered_shipped(cls, codes: list[str]) -> list[str]:
        return [shipped(code) for code in codes]

    @model_validator(mode="after")
    def _default_offered(self) -> "LanguagesConfig":
        if self.default not in self.offered:
            raise ValueError(f"default language {self.default!r} must be one of `offered`")
        return self
