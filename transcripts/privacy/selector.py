"""Who a request is about: an email address or a verified host-site user id, checked before anything is read.

An email matches ignoring the case of ASCII letters (`Ann@Example.COM` is `ann@example.com`); every other
character must match exactly, after the same cleaning (NFC) the bridge gave the stored text. That rule reads the
same in SQLite (whose `lower()` folds ASCII only) and PostgreSQL, so both stores find the same chats.
A user id matches only a verified identity: an id the page merely claimed never reaches the store's
customer records, and matching it would hand one person's chats to whoever typed their id.
"""

import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum

from bridge.domain.chat import Customer
from bridge.identity import MAX_USER_ID_CHARS, verified_customer_id
from bridge.text import clean_text

MAX_EMAIL_CHARS = 254
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


class SelectorError(ValueError):
    """The selector can't name anyone; the message says why (the CLI exits with 2)."""


class SelectorKind(StrEnum):
    EMAIL = "email"
    USER_ID = "user_id"


@dataclass(frozen=True)
class Selector:
    kind: SelectorKind
    value: str
    """Email: with ASCII letters lowered. User id: as given."""

    @property
    def digest(self) -> str:
        """What the audit trail keeps instead of the value: the same request finds its rows again."""
        return hashlib.sha256(f"{self.kind.value}:{self.value}".encode()).hexdigest()

    @property
    def hint(self) -> str:
        """A masked form for people reading the audit trail: `a***@example.com`, `u-***`."""
        if self.kind is SelectorKind.EMAIL:
            local, _, domain = self.value.rpartition("@")
            return f"{local[:1]}***@{domain}"[:80]
        return f"{self.value[:2]}***"

    @property
    def verified_id(self) -> str:
        """The store's customer id of a verified user id ("" for an email)."""
        return verified_customer_id(self.value) if self.kind is SelectorKind.USER_ID else ""

    def matches(self, customer: Customer) -> bool:
        if self.kind is SelectorKind.EMAIL:
            return ascii_lower(customer.email) == self.value
        return customer.verified and customer.user_id == self.value

    def describe(self) -> str:
        return f"{'email' if self.kind is SelectorKind.EMAIL else 'user id'} {self.hint}"


def ascii_lower(text: str) -> str:
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text)


def selector_from(email: str | None, user_id: str | None) -> Selector:
    """Exactly one of the two, well formed; raises SelectorError otherwise."""
    if (email is None) == (user_id is None):
        raise SelectorError("name the customer with exactly one of --email or --user-id")
    if email is not None:
        return Selector(SelectorKind.EMAIL, _email(email))
    return Selector(SelectorKind.USER_ID, _user_id(user_id or ""))


def _email(given: str) -> str:
    if _UNPRINTABLE.search(given):
        raise SelectorError("the email holds control characters or broken Unicode; no stored email does")
    value = clean_text(given).strip()
    if not value:
        raise SelectorError("--email is empty")
    if len(value) > MAX_EMAIL_CHARS:
        raise SelectorError(f"--email is longer than {MAX_EMAIL_CHARS} characters; no stored email is")
    if not _EMAIL.fullmatch(value):
        raise SelectorError(f"--email {value!r} is not an email address (one @, text on both sides, no spaces)")
    return ascii_lower(value)


def _user_id(given: str) -> str:
    if _UNPRINTABLE.search(given):
        raise SelectorError("the user id holds control characters or broken Unicode; no stored user id does")
    value = clean_text(given)
    if not value.strip():
        raise SelectorError("--user-id is empty")
    if len(value) > MAX_USER_ID_CHARS:
        raise SelectorError(f"--user-id is longer than {MAX_USER_ID_CHARS} characters; no stored user id is")
    return value
