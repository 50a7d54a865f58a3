"""One answer of a case form: read, checked and normalised by the field's type, or a clear error.

Values are stored as strings in their normal form ('12.50', '2025-03-01', 'Damaged'), so a
draft, the webhook body and the transcript agree, and money keeps its exact decimals.
"""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from bridge.config.cases import CaseFieldConfig

SKIP_WORDS = {"skip", "-", "none", "n/a"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]{4,24}$")


class FieldError(ValueError):
    pass


def parse_value(field: CaseFieldConfig, raw: str) -> str:
    """The normalised value; '' for a skipped optional field."""
    text = raw.strip()
    if not text or text.lower() in SKIP_WORDS:
        if field.required:
            raise FieldError(f"{field.label} is required.")
        return ""
    if len(text) > field.max_length:
        raise FieldError(f"{field.label} is at most {field.max_length} characters.")
    value = _by_type(field, text)
    if field.pattern and field.type in ("text", "longtext", "phone") and not re.fullmatch(field.pattern, value):
        raise FieldError(f"{field.label} doesn't look right{': ' + field.hint if field.hint else ''}.")
    return value


def _by_type(field: CaseFieldConfig, text: str) -> str:
    kind = field.type
    if kind in ("text", "longtext"):
        return text if kind == "longtext" else " ".join(text.split())
    if kind == "email":
        if not _EMAIL.match(text):
            raise FieldError(f"{field.label} must be an email address such as name@example.com.")
        return text
    if kind == "phone":
        if not _PHONE.match(text):
            raise FieldError(f"{field.label} must be a phone number (digits, spaces, +, -).")
        return text
    if kind == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise FieldError(f"{field.label} must be a date written as YYYY-MM-DD.") from None
    if kind == "choice":
        return _choice(field, text)
    return _number(field, text)


def _choice(field: CaseFieldConfig, text: str) -> str:
    if text.isascii() and text.isdigit() and 1 <= int(text) <= len(field.choices):
        return field.choices[int(text) - 1]
    for choice in field.choices:
        if choice.lower() == text.lower():
            return choice
    options = ", ".join(f"{i}. {c}" for i, c in enumerate(field.choices, 1))
    raise FieldError(f"{field.label} must be one of: {options}.")


def _number(field: CaseFieldConfig, text: str) -> str:
    cleaned = re.sub(r"[\s€$£]|EUR|USD|GBP", "", text, flags=re.IGNORECASE)
    if field.type == "money" and re.fullmatch(r"\d+,\d{1,2}", cleaned):
        cleaned = cleaned.replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise FieldError(f"{field.label} must be a number.") from None
    if not number.is_finite():
        raise FieldError(f"{field.label} must be a number.")
    if field.type == "integer" and number != number.to_integral_value():
        raise FieldError(f"{field.label} must be a whole number.")
    if field.min is not None and number < Decimal(str(field.min)):
        raise FieldError(f"{field.label} must be at least {field.min:g}.")
    if field.max is not None and number > Decimal(str(field.max)):
        raise FieldError(f"{field.label} must be at most {field.max:g}.")
    if field.type == "money":
        if number != number.quantize(Decimal("0.01")):
            raise FieldError(f"{field.label} has at most two decimals.")
        return str(number.quantize(Decimal("0.01")))
    return str(int(number)) if field.type == "integer" else str(number.normalize())


def prefill(field: CaseFieldConfig, customer_name: str, customer_email: str, customer_messages: list[str]) -> str:
    """A suggested value from the chat, kept only when it passes the field's own checks."""
    candidate = ""
    if field.prefill == "customer.name":
        candidate = customer_name
    elif field.prefill == "customer.email":
        candidate = customer_email
    elif field.prefill == "messages" and field.pattern:
        for text in reversed(customer_messages):
            match = re.search(field.pattern, text)
            if match:
                candidate = match.group(1) if match.groups() else match.group(0)
                break
    if not candidate:
        return ""
    try:
        return parse_value(field, candidate)
    except FieldError:
        return ""
