"""A customer's emailed answer, read into the words they wrote: the text part (or the HTML one, tags
dropped), without the quoted email below it, bounded like a widget message. Pure: the SMTP side is
adapters/email."""

import email
import email.policy
import hashlib
import html
import re
from dataclasses import dataclass
from email.message import EmailMessage

from bridge.text import clean_text

_QUOTE_START = re.compile(r"^(On .{0,200} wrote:|Am .{0,200} schrieb .{0,80}:|Le .{0,200} a écrit ?:|"
                          r"-{2,} ?Original Message ?-{2,}|_{5,}|From: .+)$", re.IGNORECASE)
_TAG = re.compile(r"<[^>]{0,2000}>")
AUTO = {"auto-replied", "auto-generated", "auto-notified"}


@dataclass(frozen=True)
class Answer:
    text: str
    sender: str
    key: str
    """Stable per email (its Message-ID, else its bytes): a redelivery is recognised and stored once."""
    automatic: bool
    """An out-of-office or other automatic reply: kept out of the chat, so no mail loop."""
    truncated: bool


def read_answer(raw: bytes, max_chars: int) -> Answer:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    ident = str(message.get("Message-ID", "")).strip()
    key = hashlib.sha256((ident or raw.decode("latin-1")).encode()).hexdigest()[:32]
    automatic = str(message.get("Auto-Submitted", "no")).strip().lower() in AUTO or bool(
        message.get("X-Autoreply") or message.get("X-Autorespond"))
    text = _without_quote(_body_text(message))
    truncated = len(text) > max_chars
    return Answer(text=text[:max_chars], sender=str(message.get("From", ""))[:200], key=key, automatic=automatic,
                  truncated=truncated)


def _body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # an unknown charset or a broken transfer encoding
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    if part.get_content_subtype() == "html":
        content = html.unescape(_TAG.sub(" ", re.sub(r"(?i)<br\s*/?>|</p>", "\n", content)))
    return clean_text(content)


def _without_quote(text: str) -> str:
    """The lines above the quoted email: a line starting with '>' or an "On ... wrote:" marker ends them."""
    kept: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(">") or _QUOTE_START.match(stripped) or "#csr-reply=" in stripped:
            break
        kept.append(line.rstrip())
    return "\n".join(kept).strip()
