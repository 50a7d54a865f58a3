"""The customer widget: looks, topics, limits."""

from pydantic import Field, SecretStr

from bridge.config.base import Section
from bridge.config.local_text import Label, Text, Title
from bridge.config.widget_texts import WidgetTexts
from bridge.i18n.markers import N_

COLOR = r"^#[0-9a-fA-F]{6}$"


class TopicConfig(Section):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    label: Label
    """One label, or one per language: `label = { en = "Billing", de = "Rechnungen" }`."""
    queue: str
    priority: int = Field(0, ge=0, le=9)
    """Higher is served first; first-in first-out within a priority."""


class UploadLimits(Section):
    max_bytes: int = Field(10 * 1024 * 1024, ge=1)
    allowed_types: list[str] = Field(
        default_factory=lambda: ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"]
    )


class WidgetConfig(Section):
    title: Title = N_("Chat with us")
    """Each text the customer reads is one string or a table by language (`{ en = "...", de = "..." }`)."""
    primary_color: str = Field("#1f6feb", pattern=COLOR)
    text_color: str = Field("#ffffff", pattern=COLOR)
    greeting: Text = N_("Hi! How can we help you today?")
    signing_key: SecretStr = SecretStr("")
    """Signs customer session tokens; empty makes one per data directory on first start."""
    identity_secret: SecretStr = SecretStr("")
    """Verifies the host site's signed customers: `user_hash` must be the hex HMAC-SHA256 of the user id with
    this secret. Empty: no identity is verified (a signed one is refused), chats are linked per browser."""
    page_updates_per_minute: int = Field(20, ge=1, le=600)
    """Page changes the widget may report per chat and minute (the CSR's card follows the customer)."""
    token_ttl_hours: float = Field(24.0, gt=0)
    max_message_chars: int = Field(4000, ge=1, le=40000)
    messages_per_minute: int = Field(60, ge=1)
    chats_per_hour_per_address: int = Field(20, ge=1)
    requests_per_minute_per_address: int = Field(300, ge=1)
    """Every widget API call and WebSocket connect from one client address, all sessions together."""
    sockets_per_chat: int = Field(5, ge=1)
    """WebSockets open at once on one chat (tabs of one customer); one more is refused with close code 4429."""
    sockets_per_address: int = Field(50, ge=1)
    """WebSockets open at once from one client address, all chats together (several customers behind one NAT)."""
    topics: list[TopicConfig] = Field(default_factory=list)
    uploads: UploadLimits = Field(default_factory=UploadLimits)
    texts: WidgetTexts = Field(default_factory=WidgetTexts)
