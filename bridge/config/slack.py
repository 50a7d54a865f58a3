"""Slack app settings."""

from typing import Literal

from pydantic import Field, SecretStr

from bridge.config.base import Section
from bridge.config.places import Places, places_of


class SlackConfig(Section):
    enabled: bool = False
    mode: Literal["http", "socket"] = "http"
    bot_token: SecretStr = SecretStr("")
    signing_secret: SecretStr = SecretStr("")
    app_token: SecretStr = SecretStr("")
    api_url: str = Field("https://slack.com/api/", pattern=r"^https?://\S+/$")
    channels: dict[str, Places] = Field(default_factory=dict)
    """Queue name to channel id, or a list of them: each chat's thread opens in the least busy one and stays."""
    supervisors_channel: str = ""
    note_prefix: str = Field("//", min_length=1, max_length=8)
    messages_per_second: float = Field(1.0, gt=0)
    """Pace per channel; Slack allows about one message a second with short bursts."""
    burst: int = Field(4, ge=1, le=20)
    """Messages a quiet channel may take at once before the pace applies."""
    max_request_bytes: int = Field(1_048_576, ge=65_536, le=64 * 1_048_576)
    """HTTP mode: the largest request body /slack/events reads; a bigger one gets 413 before it is read."""
    refused_per_minute_per_address: int = Field(30, ge=1)
    """HTTP mode: requests refused (unsigned, replayed, malformed, too big) from one address in a minute before
    its further requests get 429 (a big body unread) unless they are small and signed. Signed requests never
    count, so Slack's own traffic is never limited, even through a proxy whose address an attacker shares."""

    def channels_of(self, queue: str) -> tuple[str, ...]:
        """The queue's channels; empty when it has none."""
        return places_of(self.channels, queue)
