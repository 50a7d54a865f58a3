"""The email that carries a CSR's reply to a customer who left a message, in the chat's language (the gettext
catalogs of bridge/i18n, `messages` domain; the body is one template whose strings are marked there).

Names and subjects come from people, so every header value is cleared of line breaks and control characters
(no header can be smuggled in) and bounded; addresses are parsed, not pasted. The Message-ID is made from
the chat and the reply's event id, so a retried send is recognisably the same email.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr

from jinja2 import Environment, PackageLoader, StrictUndefined

from bridge.domain.chat import Chat
from bridge.domain.events import ChatEvent
from bridge.i18n import N_, translator

_ENV = Environment(loader=PackageLoader("followup", "templates"), autoescape=False, undefined=StrictUndefined,
                   keep_trailing_newline=True)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
MAX_HEADER = 150
SUBJECT = N_("{agent} answered your message")


class BadAddress(ValueError):
    """The customer's email is not one address we could write to."""


@dataclass(frozen=True)
class Envelope:
    sender: str
    sender_name: str
    team: str
    domain: str
    """Of Message-IDs, and of the Reply-To address when answers come back."""
    reply_to: str
    """reply+CODE@domain, or empty when no inbound mailbox is configured."""
    link: str
    link_until: float
    language: str
    """The config's default, for chats that stored none."""


def header_text(value: str) -> str:
    """One line, no control characters, bounded: safe for any header."""
    return " ".join(_CONTROL.sub(" ", value).split())[:MAX_HEADER]


def address(email: str) -> Address:
    """One plain addr-spec (no display name, no list, no comment, no line break), or BadAddress."""
    if _CONTROL.search(email) or any(c in email for c in ',;<>()"\\ '):
        raise BadAddress(f"not a single email address: {email!r}")
    try:
        parsed = Address(addr_spec=email)
    except (ValueError, IndexError) as exc:
        raise BadAddress(f"not a valid email address: {email!r}") from exc
    if not parsed.username or "." not in parsed.domain:
        raise BadAddress(f"not a valid email address: {email!r}")
    return parsed


def message_id(chat_id: str, event_id: str, domain: str) -> str:
    return f"<reply.{chat_id}.{event_id}@{domain}>"


def thread_id(chat_id: str, domain: str) -> str:
    """What every email of one chat refers to, so mail programs keep them in one conversation."""
    return f"<chat.{chat_id}@{domain}>"


def reply_email(chat: Chat, event: ChatEvent, agent_name: str, envelope: Envelope) -> EmailMessage:
    to = address(chat.customer.email)
    tr = translator(chat.customer.language or envelope.language)
    values = {"customer": chat.customer.name, "agent": agent_name, "team": envelope.team, "text": event.text,
              "link": envelope.link, "reply_to": bool(envelope.reply_to),
              "until": datetime.fromtimestamp(envelope.link_until, UTC).strftime("%Y-%m-%d %H:%M UTC"),
              "_": tr.gettext}
    msg = EmailMessage()
    msg["Subject"] = header_text(tr.gettext(SUBJECT, agent=agent_name))
    msg["From"] = formataddr((header_text(envelope.sender_name), envelope.sender))
    msg["To"] = formataddr((header_text(chat.customer.name), to.addr_spec))
    if envelope.reply_to:
        msg["Reply-To"] = envelope.reply_to
    msg["Message-ID"] = message_id(chat.id, event.id, envelope.domain)
    msg["References"] = thread_id(chat.id, envelope.domain)
    msg["In-Reply-To"] = thread_id(chat.id, envelope.domain)
    msg["Auto-Submitted"] = "auto-replied"
    msg.set_content(_ENV.get_template("reply.txt").render(values))
    msg["Content-Language"] = tr.language  # last: set_content moves the Content-* headers
    return msg
