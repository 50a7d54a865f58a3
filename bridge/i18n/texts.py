"""Texts an admin writes in the config, either one string for everyone or one per language.

    greeting = "Hi! How can we help?"                       # every language (shipped defaults are translated)
    greeting = { en = "Hi! How can we help?", de = "Hallo! Wie können wir helfen?" }
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bridge.i18n.catalogs import Translator

LocalText = str | Mapping[str, str]


def in_language(text: LocalText, *languages: str) -> str:
    """The text as written for the first of `languages` it has (else the first language given), without the
    catalog: a site's own texts such as phrases, or a topic's label on a thread header in the default language."""
    if isinstance(text, str):
        return text
    return next((text[lang] for lang in languages if text.get(lang)), None) or next(iter(text.values()), "")


def localize(text: LocalText, tr: "Translator", default_language: str) -> str:
    """The text for `tr`'s language: its own entry, else the default language's, else the first one given.

    A plain string goes through the catalog, so a default left as shipped reads in the customer's language
    while a site's own wording (not a catalog msgid) comes back unchanged.
    """
    if isinstance(text, str):
        return tr.gettext_raw(text)
    return in_language(text, tr.language, default_language)
