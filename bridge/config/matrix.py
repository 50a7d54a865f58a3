"""Matrix bot settings."""

from pydantic import Field, SecretStr

from bridge.config.base import Section


class MatrixConfig(Section):
    enabled: bool = False
    homeserver: str = "https://matrix.example.org"
    user_id: str = Field("@csr-bridge:example.org", pattern=r"^@[^:\s]+:\S+$")
    password: SecretStr = SecretStr("")
    access_token: SecretStr = SecretStr("")
    device_name: str = "CSR Bridge"
    rooms: dict[str, str] = Field(default_factory=dict)
    """Queue name to room id or alias, where each chat's thread is opened."""
    supervisors_room: str = ""
    note_prefix: str = Field("//", min_length=1, max_length=8)
    command_prefix: str = Field("!csr", min_length=1, max_length=16)
    send_per_second: float = Field(0.2, ge=0, le=1000)
    """The bot's message rate; Synapse's default limit. 0 sends unpaced (the admin exempted the bot)."""
    send_burst: int = Field(10, ge=1, le=10000)
    """Messages the bot may send at once before pacing starts (Synapse's default burst)."""
