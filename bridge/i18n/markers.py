"""Marks a string for translation where it is written, without translating it there.

`pybabel extract` finds `N_("...")` (one of its default keywords); the string is translated later, with
`Translator.gettext`, once the reader's language is known.
"""


def N_(msgid: str) -> str:  # noqa: N802 - the gettext convention extractors look for
    return msgid


def nN_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - as N_
    """Marks a text with a count: `Translator.ngettext(*marked, n, ...)` picks the language's plural form."""
    return singular, plural
