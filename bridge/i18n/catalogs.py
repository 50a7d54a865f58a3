"""The shipped catalogs, read from their gettext sources (.po) with Babel and compiled in memory once a process.

Reading the .po sources at first use keeps the repository free of compiled .mo files and a build step; a
catalog is a few kB, so compiling costs milliseconds once. Two domains: `messages` (everything the server
words: notices, transcripts, emails) and `widget` (the strings of widget.js, sent to it as JSON).
"""

import gettext
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from io import BytesIO
from string import Formatter

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bridge.i18n.languages import DEFAULT_LANGUAGE, SHIPPED_LANGUAGES, direction

_LOCALES = files("bridge.i18n").joinpath("locales")


@cache
def read_catalog(language: str, domain: str) -> Catalog:
    """The parsed .po of a shipped language; English, the source language, has msgids only."""
    with _LOCALES.joinpath(language, "LC_MESSAGES", f"{domain}.po").open("rb") as fp:
        return read_po(fp, locale=language, domain=domain)


@cache
def _translations(language: str, domain: str) -> gettext.NullTranslations:
    if language not in SHIPPED_LANGUAGES or language == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    mo = BytesIO()
    write_mo(mo, read_catalog(language, domain), use_fuzzy=False)
    mo.seek(0)
    return Translations(mo, domain=domain)


def format_text(text: str, fallback: str, places: dict[str, object]) -> str:
    """`text` with its {names} filled in; if a (translated) text can't be filled, the fallback is, so a bad
    translation never breaks a notice. Only plain names are filled: no attribute access or indexing."""
    if not places:
        return text
    for candidate in (text, fallback):
        try:
            fields = [name for _, name, _, _ in Formatter().parse(candidate) if name is not None]
            if all(name in places for name in fields):
                return candidate.format_map(places)
        except (ValueError, KeyError, IndexError, AttributeError):
            continue
    return fallback


@dataclass(frozen=True)
class Translator:
    """One language's view of a domain's catalog, with the plural rules of its .po header (from CLDR)."""

    language: str
    translations: gettext.NullTranslations

    @property
    def dir(self) -> str:
        return direction(self.language)

    def gettext_raw(self, msgid: str) -> str:
        """The translation with its {names} left in, for texts filled in later."""
        return self.translations.gettext(msgid)

    def gettext(self, msgid: str, **places: object) -> str:
        return format_text(self.translations.gettext(msgid), msgid.format_map(places) if places else msgid,
                           places)

    def ngettext(self, singular: str, plural: str, n: int, **places: object) -> str:
        """The form for `n` in this language (Arabic has six); `places` fills the {names}, usually with n."""
        english = singular if n == 1 else plural
        return format_text(self.translations.ngettext(singular, plural, n), english.format_map(places), places)


@cache
def translator(language: str, domain: str = "messages") -> Translator:
    """The translator for a chosen language; a language without a catalog reads English."""
    known = language if language in SHIPPED_LANGUAGES else DEFAULT_LANGUAGE
    return Translator(known, _translations(known, domain))


@cache
def widget_catalog(language: str) -> dict[str, str]:
    """widget.js's strings in `language` (msgid -> text), only those translated; the widget falls back to its
    English msgid for the rest."""
    if language not in SHIPPED_LANGUAGES or language == DEFAULT_LANGUAGE:
        return {}
    return {str(m.id): str(m.string) for m in read_catalog(language, "widget")
            if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string and not m.fuzzy}
