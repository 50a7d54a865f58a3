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
    start_cast(synapse, (BOT, LIMITED_BOT))
    return make_rooms(synapse, (BOT, LIMITED_BOT))


def start_cast(synapse: Synapse, bots: tuple[str, ...]) -> None:
    """Starts the homeserver with an admin, the bots, the staff and the stranger (all but LIMITED_BOT exempted)."""
    synapse.start()
    synapse.register("admin", password("admin"), admin=True)
    for user in (*bots, *STAFF, STRANGER):
        synapse.register(user, password(user))
        if user != LIMITED_BOT:
            synapse.exempt(user)


def make_rooms(synapse: Synapse, bots: tuple[str, ...]) -> Homeserver:
    """A room per queue and the supervisors' room, made by sam; the bots are invited, the CSRs join."""
    hs = Homeserver(synapse)
    for name in (*QUEUES, "supervisors"):
        room = synapse.create_room("sam", name, invite=[*bots, "alice", "bob", "carol"])
        for user in ("alice", "bob", "carol"):
            synapse.join(user, room)
        hs.rooms[name] = room
    return hs
