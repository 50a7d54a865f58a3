"""Customer-facing text in the customer's language: gettext catalogs read with Babel.

Mark a string where it is written and translate it where the customer's language is known:

    from bridge.i18n import N_, nN_, translator
    GREETING = N_("Hi {name}!")                               # marked, still English here
    tr = translator(chat.customer.language)                   # the chat's language, chosen at its start
    tr.gettext(GREETING, name=chat.customer.name)             # "Hallo Ada!"
    WAIT = nN_("about {count} minute", "about {count} minutes")  # a text with a count
    tr.ngettext(*WAIT, n, count=n)                            # "etwa 5 Minuten"

`scripts/i18n.sh extract` collects the marked strings into the templates (.pot) and merges them into every
catalog (.po); docs/i18n.md says how to add a string, a language or a translation.
"""

from bridge.i18n.catalogs import Translator, translator, widget_catalog
from bridge.i18n.languages import (
    DEFAULT_LANGUAGE,
    RTL_LANGUAGES,
    SHIPPED_LANGUAGES,
    accept_language_tags,
    direction,
    language_name,
    pick_language,
)
from bridge.i18n.markers import N_, nN_
from bridge.i18n.texts import LocalText, in_language, localize

__all__ = [
    "DEFAULT_LANGUAGE", "RTL_LANGUAGES", "SHIPPED_LANGUAGES", "LocalText", "N_", "nN_", "Translator",
    "accept_language_tags", "direction", "in_language", "language_name", "localize", "pick_language", "translator",
    "widget_catalog",
]
