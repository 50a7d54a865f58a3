"""Matrix bot settings."""

from pydantic import Field, SecretStr

from bridge.config.base import Section

EMBEDDED = "embedded"
EMBEDDED_SERVER_NAME = "localhost"
"""The embedded homeserver's name: its users are @NAME:localhost, which no other server can claim."""


class MatrixConfig(Section):
    enabled: bool = False
    homeserver: str = "https://matrix.example.org"
    """The client-server API's base URL, or "embedded": `serve` runs a Synapse of its own on loopback."""
    embedded_port: int = Field(8008, ge=1, le=65535)
    """Where the embedded homeserver listens (127.0.0.1 only)."""
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

    @property
    def embedded(self) -> bool:
        return self.homeserver == EMBEDDED

    @property
    def client_url(self) -> str:
        return f"http://127.0.0.1:{self.embedded_port}" if self.embedded else self.homeserver.rstrip("/")

    def on_embedded(self, user_id: str) -> bool:
        return self.embedded and user_id.endswith(f":{EMBEDDED_SERVER_NAME}")


def embedded_defaults(matrix: MatrixConfig, queues: list[str]) -> MatrixConfig:
    """What the embedded homeserver implies: its bot, one room per queue by alias, no pacing (the bridge
    exempts its bot from the homeserver's rate limit when it sets the homeserver up)."""
    server = EMBEDDED_SERVER_NAME
    user_id = matrix.user_id if "user_id" in matrix.model_fields_set else f"@csr-bridge:{server}"
    return matrix.model_copy(update={
        "user_id": user_id,
        "rooms": {q: f"#{q}:{server}" for q in queues},
        "supervisors_room": f"#supervisors:{server}",
        "send_per_second": 0.0,
    })
