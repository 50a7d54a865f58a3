"""A real Synapse for the load bench (testkit/synapse.py runs it): the bridge's bot, a bot for the
bare-SDK baseline, N CSRs, and one room per queue with everyone in it.

Everyone who posts is exempted from Synapse's message limit through the admin API, as the README tells
admins to do for the bridge's bot; the bench's CSRs and the baseline bot need it as much.
"""

from dataclasses import dataclass, field
from pathlib import Path

from testkit.homeserver import Homeserver
from testkit.synapse import Synapse

BOT = "bridgebot"
BASELINE_BOT = "baselinebot"


def password(localpart: str) -> str:
    return f"pw-{localpart}-bench"


def csr_localpart(i: int) -> str:
    return f"csr{i:04d}"


@dataclass
class BenchHomeserver(Homeserver):
    """The tests' homeserver handle, with the bench's CSRs (localparts) and a way to stop it."""

    csrs: list[str] = field(default_factory=list)

    def stop(self) -> None:
        self.synapse.stop()


def start_homeserver(workdir: Path, csrs: int, queues: list[str]) -> BenchHomeserver:
    """Blocking (Synapse's helpers are sync): call it in a thread."""
    workdir.mkdir(parents=True, exist_ok=True)
    synapse = Synapse(workdir)
    synapse.start()
    synapse.register("admin", password("admin"), admin=True)
    people = [csr_localpart(i) for i in range(csrs)]
    for user in (BOT, BASELINE_BOT, *people):
        synapse.register(user, password(user))
        synapse.exempt(user)
    hs = BenchHomeserver(synapse, csrs=people)
    for queue in queues:
        room = synapse.create_room("admin", queue, invite=[BOT, BASELINE_BOT, *people])
        for user in (BASELINE_BOT, *people):
            synapse.join(user, room)
        hs.rooms[queue] = room
    return hs
