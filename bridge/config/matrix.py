"""Matrix settings: the bot, and (mode "appservice") the application service with its ghosts."""

from typing import Literal

from pydantic import Field, SecretStr

from bridge.config.base import Section
from bridge.config.places import Places, places_of

EMBEDDED = "embedded"
EMBEDDED_SERVER_NAME = "localhost"
"""The embedded homeserver's name: its users are @NAME:localhost, which no other server can claim."""


class MatrixConfig(Section):
    enabled: bool = False
    mode: Literal["bot", "appservice"] = "bot"
    """bot: one user that syncs (any homeserver). appservice: the homeserver pushes events to the bridge, its
    users are not rate-limited, and each customer posts as a ghost user of their own (needs the admin to add
    the registration that `csr-bridge matrix registration` writes)."""
    homeserver: str = "https://matrix.example.org"
    """The client-server API's base URL, or "embedded": `serve` runs a Synapse of its own on loopback."""
    embedded_port: int = Field(8008, ge=1, le=65535)
    """Where the embedded homeserver listens (127.0.0.1 only)."""
    user_id: str = Field("@csr-bridge:example.org", pattern=r"^@[^:\s]+:\S+$")
    password: SecretStr = SecretStr("")
    access_token: SecretStr = SecretStr("")
    device_name: str = "CSR Bridge"
    rooms: dict[str, Places] = Field(default_factory=dict)
    """Queue name to room id or alias, or a list of them: each chat's thread opens in the least busy one and
    stays. The embedded homeserver makes one room per queue."""
    supervisors_room: str = ""
    note_prefix: str = Field("//", min_length=1, max_length=8)
    command_prefix: str = Field("!csr", min_length=1, max_length=16)
    send_per_second: float = Field(0.2, ge=0, le=1000)
    """The bot's message rate; Synapse's default limit. 0 sends unpaced (the admin exempted the bot)."""
    send_burst: int = Field(10, ge=1, le=10000)
    """Messages the bot may send at once before pacing starts (Synapse's default burst)."""
    appservice_id: str = Field("csr-bridge", pattern=r"^[A-Za-z0-9._-]{1,64}$")
    """The registration's `id`: unique among the homeserver's application services."""
    appservice_url: str = Field("http://127.0.0.1:8080", pattern=r"^https?://\S+$")
    """Where the homeserver reaches this bridge's HTTP server (the registration's `url`)."""
    as_token: SecretStr = SecretStr("")
    """The bridge's token towards the homeserver; empty: generated once into data_dir by `matrix registration`."""
    hs_token: SecretStr = SecretStr("")
    """The homeserver's token towards the bridge; empty: generated once into data_dir, like `as_token`."""
    ghost_prefix: str = Field("csr_customer_", pattern=r"^[a-z0-9._=/-]{1,32}$")
    """Ghost users are @PREFIX<chat id>:server; the registration claims this namespace exclusively."""
    ghost_display_name: str = Field("{name} (customer)", min_length=1, max_length=100)
    """A ghost's display name; `{name}` is the customer's name."""
    max_transaction_bytes: int = Field(16 * 1024 * 1024, ge=65_536, le=256 * 1024 * 1024)
    """Biggest appservice transaction body taken in (Synapse sends up to 100 events of at most 64 KiB)."""

    @property
    def embedded(self) -> bool:
        return self.homeserver == EMBEDDED

    @property
    def client_url(self) -> str:
        return f"http://127.0.0.1:{self.embedded_port}" if self.embedded else self.homeserver.rstrip("/")

    @property
    def appservice(self) -> bool:
        return self.mode == "appservice"

    @property
    def server_name(self) -> str:
        return self.user_id.split(":", 1)[1]

    @property
    def localpart(self) -> str:
        return self.user_id[1:].split(":", 1)[0]

    def on_embedded(self, user_id: str) -> bool:
        return self.embedded and user_id.endswith(f":{EMBEDDED_SERVER_NAME}")

    def rooms_of(self, queue: str) -> tuple[str, ...]:
        """The queue's rooms (ids or aliases); empty when it has none."""
        return places_of(self.rooms, queue)


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
