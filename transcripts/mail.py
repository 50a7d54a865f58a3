"""Mails the customer their transcript when the chat ends (optional; needs SMTP and an email)."""

from email.message import EmailMessage

from bridge.config.transcripts import SmtpConfig
from bridge.domain.chat import Chat
from bridge.domain.events import ChatEvent
from bridge.i18n import N_, LocalText, localize, translator
from bridge.mail import send_mail
from transcripts.render import render_transcript, transcript_filename

GREETING = N_("Hi {name},\n\nthank you for chatting with us. Your transcript follows.")


def build_message(smtp: SmtpConfig, chat: Chat, events: list[ChatEvent], subject: LocalText,
                  default_language: str) -> EmailMessage:
    """The customer's transcript by email, in the language the chat was in."""
    text, _ = render_transcript(chat, events, "txt", "customer")
    html, _ = render_transcript(chat, events, "html", "customer")
    tr = translator(chat.customer.language or default_language)
    msg = EmailMessage()
    msg["Subject"] = localize(subject, tr, default_language)
    msg["From"] = smtp.sender or smtp.username
    msg["To"] = chat.customer.email
    msg.set_content(tr.gettext(GREETING, name=chat.customer.name) + "\n\n" + text.decode())
    msg.add_attachment(html, maintype="text", subtype="html", filename=transcript_filename(chat, "html"))
    msg["Content-Language"] = tr.language  # last: set_content and add_attachment move the Content-* headers
    return msg


async def send(smtp: SmtpConfig, message: EmailMessage) -> None:
    await send_mail(smtp, message)
