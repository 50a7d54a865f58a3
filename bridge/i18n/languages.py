"""Which language a customer reads: the languages we ship catalogs for, and the pick among what they ask.

A customer's wishes arrive as BCP 47 tags (the browser's `navigator.languages`, an `Accept-Language` header,
a page's `data-lang`, a verified customer's locale); each is untrusted, so tags are length-capped and
shape-checked before Babel negotiates them against the offered languages.
"""

import re
from collections.abc import Iterable

from babel.core import Locale, UnknownLocaleError, negotiate_locale

SHIPPED_LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es", "pt", "ar", "he")
"""Languages with a catalog under bridge/i18n/locales; English is the source language (msgids)."""
DEFAULT_LANGUAGE = "en"
RTL_LANGUAGES = frozenset({"ar", "he"})

MAX_TAG = 35
"""RFC 5646's longest practical tag; anything longer is garbage."""
MAX_TAGS = 20
"""How many wishes are considered: browsers send a handful."""
MAX_HEADER = 2048

_TAG = re.compile(r"[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*")
_QUALITY = re.compile(r"\s*q\s*=\s*(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)\s*")


def clean_tag(raw: object) -> str | None:
    """A well-formed language tag with `-` separators, or None for anything else (huge, NUL, not a tag)."""
    if not isinstance(raw, str) or not raw or len(raw) > MAX_TAG or not _TAG.fullmatch(raw):
        return None
    return raw.replace("_", "-")


def wish_list(raw: object) -> list[str]:
    """A client's list of wishes cut to size: well-formed tags only, from the first MAX_TAGS; a malformed tag is
    skipped, never an error, so hostile wishes fall back to the default instead of refusing the customer."""
    items = raw if isinstance(raw, list) else [raw] if isinstance(raw, str) else []
    return [tag for tag in (clean_tag(item) for item in items[:MAX_TAGS]) if tag]


def accept_language_tags(header: str) -> list[str]:
    """The tags of an `Accept-Language` header, best first (by q, then by order); malformed items are skipped."""
    ranked: list[tuple[float, int, str]] = []
    for order, item in enumerate(header[:MAX_HEADER].split(",")[:MAX_TAGS]):
        raw_tag, _, params = item.partition(";")
        tag = clean_tag(raw_tag.strip())
        quality = _QUALITY.fullmatch(params) if params else None
        if tag is None or (params and quality is None):
            continue
        q = float(quality.group(1)) if quality else 1.0
        if q > 0:
            ranked.append((-q, order, tag))
    return [tag for _, _, tag in sorted(ranked)]


def pick_language(wishes: Iterable[object], offered: Iterable[str] = SHIPPED_LANGUAGES,
                  default: str = DEFAULT_LANGUAGE) -> str:
    """The first wish an offered language satisfies (`pt-BR` -> `pt`), else `default`."""
    available = list(offered)
    tags = [tag for tag in (clean_tag(w) for w in list(wishes)[:MAX_TAGS]) if tag]
    chosen = negotiate_locale(tags, available, sep="-") if tags and available else None
    return chosen.lower() if chosen else default


def direction(language: str) -> str:
    """`rtl` for right-to-left scripts, else `ltr`: the widget's and an email's `dir`."""
    return "rtl" if language.split("-")[0].lower() in RTL_LANGUAGES else "ltr"


def language_name(language: str) -> str:
    """What staff read for the customer's language: `German (de)`; the code alone if Babel doesn't know it."""
    try:
        name = Locale.parse(language.replace("-", "_")).get_display_name("en")
    except (ValueError, TypeError, UnknownLocaleError):
        return language
    return f"{name} ({language})" if name else language
