"""The product's Synapse runner (adapters/matrix/homeserver) set up for tests: fast and generous.

It listens on 127.0.0.1 on a free port, hashes passwords cheaply and has its rate limits raised, so tests
are fast. The message limit (`rc_message`) stays at Synapse's default (0.2/s, burst 10): `exempt` lifts
it per user through the admin API's override_ratelimit, as the README tells admins to do for the bot, and
the one user left unexempted meets M_LIMIT_EXCEEDED for real.
"""

from pathlib import Path
from typing import Any

from adapters.matrix.homeserver.embedded import overrides as embedded_overrides
from adapters.matrix.homeserver.synapse import Synapse as HomeserverProcess
from bridge.embedded_redis import free_port

SERVER_NAME = "localhost"
RAISED = {"per_second": 1000, "burst_count": 1000}


def overrides(port: int) -> dict[str, Any]:
    """The embedded homeserver's settings, with limits raised and cheap password hashing."""
    return {
        **embedded_overrides(port),
        "bcrypt_rounds": 4,
        "rc_registration": RAISED,
        "rc_login": {"address": RAISED, "account": RAISED, "failed_attempts": RAISED},
        "rc_joins": {"local": RAISED, "remote": RAISED},
        "rc_joins_per_room": RAISED,
        "rc_invites": {"per_room": RAISED, "per_user": RAISED, "per_issuer": RAISED},
        "rc_room_creation": RAISED,
        "rc_presence": {"per_user": RAISED},
        "rc_media_create": {"per_second": 100_000_000, "burst_count": 1_000_000_000},
        "max_upload_size": "20M",
        # Each test's clients start with an initial sync; a cached answer from an earlier test would replay it.
        "caches": {"sync_response_cache_duration": 0},
    }


class Synapse(HomeserverProcess):
    """A running homeserver; `users` maps a localpart to its access token."""

    def __init__(self, workdir: Path, port: int | None = None, extra: dict[str, Any] | None = None) -> None:
        """`extra`: more settings on top (e.g. `app_service_config_files`)."""
        port = port or free_port()
        super().__init__(workdir, port, SERVER_NAME, {**overrides(port), **(extra or {})})
        self.users: dict[str, str] = {}

    def register(self, localpart: str, password: str, admin: bool = False) -> str:
        token = super().register(localpart, password, admin)
        self.users[localpart] = token
        return token

    def call(self, method: str, path: str, as_user: str, json: dict[str, Any] | None = None) -> Any:
        return self.api(method, path, self.users[as_user], json)

    def create_room(self, creator: str, name: str, invite: list[str], encrypted: bool = False) -> str:
        body: dict[str, Any] = {"name": name, "preset": "private_chat", "invite": [self.user_id(u) for u in invite]}
        if encrypted:
            body["initial_state"] = [{"type": "m.room.encryption", "state_key": "",
                                      "content": {"algorithm": "m.megolm.v1.aes-sha2"}}]
        return str(self.call("POST", "/_matrix/client/v3/createRoom", creator, body)["room_id"])

    def join(self, localpart: str, room_id: str) -> None:
        self.call("POST", f"/_matrix/client/v3/join/{room_id}", localpart, {})

    def kick(self, by: str, room_id: str, localpart: str) -> None:
        self.call("POST", f"/_matrix/client/v3/rooms/{room_id}/kick", by, {"user_id": self.user_id(localpart)})

    def invite(self, by: str, room_id: str, localpart: str) -> None:
        self.call("POST", f"/_matrix/client/v3/rooms/{room_id}/invite", by, {"user_id": self.user_id(localpart)})

    def joined(self, as_user: str, room_id: str) -> set[str]:
        """The room's joined members, as one of them sees it."""
        return set(self.call("GET", f"/_matrix/client/v3/rooms/{room_id}/joined_members", as_user)["joined"])

    def exempt(self, localpart: str) -> None:
        """Lifts the message rate limit for one user (needs the registered `admin` user)."""
        self.call("POST", f"/_synapse/admin/v1/users/{self.user_id(localpart)}/override_ratelimit", "admin",
                  {"messages_per_second": 0, "burst_count": 0})
