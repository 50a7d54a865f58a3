"""Config texts the customer reads, written once for everyone or once per language.

    greeting = "Hi! How can we help?"
    greeting = { en = "Hi! How can we help?", de = "Hallo! Wie können wir helfen?" }

A language key must be one we ship a catalog for; `bridge.i18n.localize` picks the customer's entry.
"""

from collections.abc import Mapping
from typing import Annotated

from pydantic import AfterValidator, Discriminator, StringConstraints, Tag

from bridge.i18n.languages import SHIPPED_LANGUAGES

LANGUAGE_LIST = ", ".join(SHIPPED_LANGUAGES)


def known_languages(value: str | Mapping[str, str]) -> str | Mapping[str, str]:
    if isinstance(value, str):
        return value
    if not value:
        raise ValueError(f"give at least one language, such as {{ en = \"...\" }} (languages: {LANGUAGE_LIST})")
    for language in value:
        if language not in SHIPPED_LANGUAGES:
            raise ValueError(f"unknown language {language[:40]!r}; use one of: {LANGUAGE_LIST}")
    return value


def texts_of(value: str | Mapping[str, str]) -> list[str]:
    """Every wording of a text, for checks that apply to each (placeholders, templates)."""
    return [value] if isinstance(value, str) else list(value.values())


_Line60 = Annotated[str, StringConstraints(min_length=1, max_length=60)]
_Line80 = Annotated[str, StringConstraints(min_length=1, max_length=80)]
_Line200 = Annotated[str, StringConstraints(max_length=200)]
_Text500 = Annotated[str, StringConstraints(max_length=500)]
_Text3000 = Annotated[str, StringConstraints(min_length=1, max_length=3000)]

ONE_TEXT, BY_LANGUAGE = "(one text)", "(by language)"
"""Which form a text was written in; the loader leaves these out of key paths in its messages."""


def _form(value: object) -> str:
    return BY_LANGUAGE if isinstance(value, dict) else ONE_TEXT


Title = Annotated[Annotated[_Line60, Tag(ONE_TEXT)] | Annotated[dict[str, _Line60], Tag(BY_LANGUAGE)],
                  Discriminator(_form), AfterValidator(known_languages)]
Label = Annotated[Annotated[_Line80, Tag(ONE_TEXT)] | Annotated[dict[str, _Line80], Tag(BY_LANGUAGE)],
                  Discriminator(_form), AfterValidator(known_languages)]
Line = Annotated[Annotated[_Line200, Tag(ONE_TEXT)] | Annotated[dict[str, _Line200], Tag(BY_LANGUAGE)],
                 Discriminator(_form), AfterValidator(known_languages)]
Text = Annotated[Annotated[_Text500, Tag(ONE_TEXT)] | Annotated[dict[str, _Text500], Tag(BY_LANGUAGE)],
                 Discriminator(_form), AfterValidator(known_languages)]
LongText = Annotated[Annotated[_Text3000, Tag(ONE_TEXT)] | Annotated[dict[str, _Text3000], Tag(BY_LANGUAGE)],
                     Discriminator(_form), AfterValidator(known_languages)]
