"""Texts an admin writes in the config, either one string for everyone or one per language.

    greeting = "Hi! How can we help?"                       # every language (shipped defaults are translated)
    greeting = { en = "Hi! How can we help?", de = "Hallo! Wie können wir helfen?" }
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bridge.i18n.catalogs import Translator

LocalText = str | Mapping[str, str]


def in_language(text: LocalText, language: str) -> str:
    """The text as written for `language` (else the first language given), without the catalog: what staff
    read in the default language, such as a topic's label on a thread header."""
    if isinstance(text, str):
        return text
    return text.get(language) or next(iter(text.values()), "")


def localize(text: LocalText, tr: "Translator", default_language: str) -> str:
    """The text for `tr`'s language: its own entry, else the default language's, else the first one given.

    A plain string goes through the catalog, so a default left as shipped reads in the customer's language
    while a site's own wording (not a catalog msgid) comes back unchanged.
    """
    if isinstance(text, str):
        return tr.gettext_raw(text)
    return text.get(tr.language) or in_language(text, default_language)
