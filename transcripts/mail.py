"""Mails the customer their transcript when the chat ends (optional; needs SMTP and an email)."""

from email.message import EmailMessage

from bridge.config.transcripts import SmtpConfig
from bridge.domain.chat import Chat
from bridge.domain.events import ChatEvent
from bridge.mail import send_mail
from transcripts.render import render_transcript, transcript_filename


def build_message(smtp: SmtpConfig, chat: Chat, events: list[ChatEvent], subject: str) -> EmailMessage:
    text, _ = render_transcript(chat, events, "txt", "customer")
    html, _ = render_transcript(chat, events, "html", "customer")
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = smtp.sender or smtp.username
    msg["To"] = chat.customer.email
    msg.set_content(f"Hi {chat.customer.name},\n\nthank you for chatting with us. Your transcript follows.\n\n"
                    + text.decode())
    msg.add_attachment(html, maintype="text", subtype="html", filename=transcript_filename(chat, "html"))
    return msg


async def send(smtp: SmtpConfig, message: EmailMessage) -> None:
    await send_mail(smtp, message)
