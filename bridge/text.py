"""Text from outside the bridge made safe to store, show and archive: one normaliser for every side.

Customers (widget), CSRs (Slack, Matrix) and their commands can send characters that break what comes
after: a NUL makes PostgreSQL refuse the whole archive of a chat, a lone surrogate (valid JSON, invalid
UTF-8) makes Redis and every JSON writer refuse the event. The domain types (`Customer`, `ChatEvent`,
`Author`, `Attachment`) pass their text through `clean_text`, so whatever path creates one, and records
written before this existed when they are read back, hold clean text.
"""

import re
import unicodedata
from typing import Annotated, Any

from pydantic import BeforeValidator

_NEEDS_WORK = re.compile(r"[\x00-\x08\x0b-\x1f\ud800-\udfff]")
"""C0 controls but tab and newline (carriage returns are handled apart) and surrogates."""
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f]")


def clean_text(value: str) -> str:
    """NFC text without NUL or other C0 controls (tab and newline stay; CR LF and a lone CR become a newline)
    and with lone surrogates replaced by U+FFFD (a well-formed pair becomes its character). Idempotent."""
    if _NEEDS_WORK.search(value):
        if "\r" in value:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        value = _CONTROLS.sub("", value)
        value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if not value.isascii() and not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    return value


def clean_tree(value: Any) -> Any:
    """`clean_text` applied to every string (keys too) in JSON-like data: event data, customer attributes."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_tree(k): clean_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_tree(v) for v in value]
    return value


CleanStr = Annotated[str, BeforeValidator(lambda v: clean_text(v) if isinstance(v, str) else v)]
"""A str field whose value is cleaned before its length and pattern are checked."""
