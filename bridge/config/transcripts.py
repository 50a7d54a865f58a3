"""Transcripts: how long records are kept and whether customers get a copy."""

from typing import Annotated

from pydantic import Field, SecretStr

from bridge.config.base import Section
from bridge.config.local_text import Line
from bridge.i18n.markers import N_

Seconds = Annotated[int, Field(ge=0, le=86400)]


class SmtpConfig(Section):
    host: str = ""
    port: int = Field(587, ge=1, le=65535)
    username: str = ""
    password: SecretStr = SecretStr("")
    sender: str = ""
    starttls: bool = True
    """Upgrade a plain connection with STARTTLS (port 587)."""
    tls: bool = False
    """Speak TLS from the first byte (port 465); starttls is then ignored."""
    timeout_seconds: float = Field(30.0, gt=0, le=300)


class TranscriptsConfig(Section):
    retention_days: int = Field(365, ge=1)
    """Archived chats closed longer ago than this are deleted by the retention job."""
    retention_every_hours: float = Field(24.0, gt=0, le=24 * 30)
    """How often the retention job runs (it also re-schedules archives that got stuck)."""
    keep_live_hours: float = Field(24.0, gt=0, le=24 * 90)
    """How long a closed chat stays in Redis after it was archived (late widget reads, transcripts)."""
    archive_retry_seconds: list[Seconds] = Field(default_factory=lambda: [5, 30, 120, 300], min_length=1)
    """Waits between archive attempts while the SQL store is down; the last one repeats until it is back."""
    archive_max_attempts: int = Field(5, ge=1, le=100)
    """Attempts at a chat's archive the database refuses (bad data, a constraint) before the chat is parked for
    an admin (`csr-bridge transcripts parked`); an unreachable store is waited out instead."""
    email_on_close: bool = False
    mail_subject: Line = N_("Your chat transcript")
    """One subject, or one per language (`{ en = "...", de = "..." }`); the shipped default is translated."""
    smtp: SmtpConfig = Field(default_factory=SmtpConfig)
