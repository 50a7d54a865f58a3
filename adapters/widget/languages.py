"""Which language a widget customer reads: chosen once, at the chat's start, and stored on the chat.

Wishes in order: a verified customer's locale (the identity hook: pass it as `verified`), then what the
widget asked for (`data-lang`, then `navigator.languages`), then the `Accept-Language` header, then the
config's default. Every wish is untrusted and only ever matched against the offered languages.
"""

from starlette.requests import HTTPConnection

from bridge.config.languages import LanguagesConfig
from bridge.i18n import accept_language_tags, pick_language
from bridge.i18n.languages import MAX_HEADER, wish_list


def customer_language(config: LanguagesConfig, conn: HTTPConnection, asked: list[str], verified: str = "") -> str:
    header = conn.headers.get("accept-language", "")[:MAX_HEADER]
    wishes = [*wish_list(verified), *asked, *accept_language_tags(header)]
    return pick_language(wishes, config.offered, config.default)


def asked_in_query(conn: HTTPConnection) -> list[str]:
    """`?lang=de-CH,fr` as the widget sends it to /config."""
    return wish_list(conn.query_params.get("lang", "")[:MAX_HEADER].split(","))
