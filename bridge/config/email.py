"""Email to customers who left a message: SMTP out, signed reply links, and (optionally) an SMTP receiver the
bridge runs for their answers, so an emailed answer lands in the same thread."""

from pydantic import Field

from bridge.config.base import Section
from bridge.config.transcripts import SmtpConfig


class InboundMailConfig(Section):
    enabled: bool = False
    """Run an SMTP receiver for customers' answers; point the MX of `domain` (or a forward) at it."""
    host: str = "127.0.0.1"
    port: int = Field(2525, ge=1, le=65535)
    domain: str = Field("", max_length=200, pattern=r"^$|^[A-Za-z0-9.-]+$")
    """Answers go to reply+CODE@domain; each code names one chat and is signed."""
    max_bytes: int = Field(1_000_000, ge=10_000, le=50_000_000)
    """Larger emails are refused at SMTP time (552), so the sender learns it was not delivered."""

class EmailConfig(Section):
    enabled: bool = False
    """Send a claimed left message's replies to the customer's email."""
    smtp: SmtpConfig = Field(default_factory=SmtpConfig)
    sender_name: str = Field("Customer service", max_length=80)
    language: str = Field("en", pattern=r"^[a-z]{2}(_[A-Z]{2})?$")
    """The email's language for a chat that stored none (chats keep the language the widget picked)."""
    reply_page_url: str = Field("", pattern=r"^$|^https?://")
    """A page of your site with the widget; the email's link opens the chat there. Empty: the bridge's demo page."""
    reply_link_days: float = Field(14.0, gt=0, le=365)
    """How long a reply link (and an emailed answer's code) is honoured."""
    max_attempts: int = Field(5, ge=1, le=20)
    """Tries per email while the SMTP server is away; then the thread says it could not be sent."""
    retry_seconds: list[int] = Field(default_factory=lambda: [10, 60, 300, 900], min_length=1)
    inbound: InboundMailConfig = Field(default_factory=InboundMailConfig)

