"""Transcripts: how long records are kept and whether customers get a copy."""

from pydantic import Field, SecretStr

from bridge.config.base import Section


class SmtpConfig(Section):
    host: str = ""
    port: int = Field(587, ge=1, le=65535)
    username: str = ""
    password: SecretStr = SecretStr("")
    sender: str = ""
    starttls: bool = True


class TranscriptsConfig(Section):
    retention_days: int = Field(365, ge=1)
    email_on_close: bool = False
    smtp: SmtpConfig = Field(default_factory=SmtpConfig)
