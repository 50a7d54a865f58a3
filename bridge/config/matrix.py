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
