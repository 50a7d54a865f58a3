"""The test homeserver's cast: the bot, a bot left on Synapse's default rate limit, CSRs, a
supervisor, a stranger, and a room for each queue plus the supervisors' room."""

from dataclasses import dataclass, field
from pathlib import Path

from testkit.synapse import Synapse

BOT = "csrbot"
LIMITED_BOT = "slowbot"
"""Not exempted from rc_message: meets Synapse's default 0.2 messages/s, burst 10."""
STAFF = ("alice", "bob", "carol", "sam")
STRANGER = "mallory"
QUEUES = ("general", "billing", "tech")


def password(localpart: str) -> str:
    return f"pw-{localpart}-secret"


@dataclass
class Homeserver:
    synapse: Synapse
    rooms: dict[str, str] = field(default_factory=dict)
    """Queue name (and "supervisors") -> room id."""

    @property
    def url(self) -> str:
        return self.synapse.url

    def user_id(self, localpart: str) -> str:
        return self.synapse.user_id(localpart)

    def token(self, localpart: str) -> str:
        return self.synapse.users[localpart]


def populate(workdir: Path) -> Homeserver:
    synapse = Synapse(workdir)
    synapse.start()
    synapse.register("admin", password("admin"), admin=True)
    for user in (BOT, LIMITED_BOT, *STAFF, STRANGER):
        synapse.register(user, password(user))
        if user != LIMITED_BOT:
            synapse.exempt(user)
    hs = Homeserver(synapse)
    for name in (*QUEUES, "supervisors"):
        room = synapse.create_room("sam", name, invite=[BOT, LIMITED_BOT, "alice", "bob", "carol"])
        for user in ("alice", "bob", "carol"):
            synapse.join(user, room)
        hs.rooms[name] = room
    return hs
