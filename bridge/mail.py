"""Sends one email over SMTP (aiosmtplib: async, STARTTLS or TLS from the first byte), for every feature that
mails customers. Raises `MailRefused` when the server refused it for good (5xx), OSError/SMTPException while it
may go through later."""

from email.message import EmailMessage

import aiosmtplib

from bridge.config.transcripts import SmtpConfig


class MailRefused(Exception):
    """The server said no for good (a 5xx answer): sending it again would not help."""


async def send_mail(smtp: SmtpConfig, message: EmailMessage) -> None:
    try:
        await aiosmtplib.send(
            message, hostname=smtp.host, port=smtp.port, timeout=smtp.timeout_seconds,
            use_tls=smtp.tls, start_tls=smtp.starttls and not smtp.tls,
            username=smtp.username or None, password=smtp.password.get_secret_value() if smtp.username else None)
    except aiosmtplib.SMTPResponseException as exc:
        if 500 <= exc.code < 600:
            raise MailRefused(f"{exc.code} {exc.message}") from exc
        raise
    except aiosmtplib.SMTPRecipientsRefused as exc:
        raise MailRefused("; ".join(f"{r.code} {r.message}" for r in exc.recipients)) from exc
