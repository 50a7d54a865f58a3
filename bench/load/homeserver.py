"""A real Synapse for the load bench (testkit/synapse.py runs it): the bridge's bot, a bot for the
bare-SDK baseline, N CSRs, and one room per queue with everyone in it; and the bridge's appservice
registration, whose bot is in the rooms too.

Everyone who posts as a person or bot-mode bot is exempted from Synapse's message limit through the admin
API, as the README tells admins to do for the bridge's bot; the bench's CSRs and the baseline bot need it as
much. The appservice's bot and ghosts are exempted by nothing but their registration (`rate_limited: false`).
"""

from dataclasses import dataclass, field
from pathlib import Path

from adapters.matrix.appservice.registration import write_registration
from bridge.config.matrix import MatrixConfig
from bridge.embedded_redis import free_port
from testkit.appservice import appservice_settings, register_bot
from testkit.homeserver import Homeserver
from testkit.synapse import Synapse

BOT = "bridgebot"
BASELINE_BOT = "baselinebot"
AS_BOT = "asbot"


def password(localpart: str) -> str:
    return f"pw-{localpart}-bench"


def csr_localpart(i: int) -> str:
    return f"csr{i:04d}"


@dataclass
class BenchHomeserver(Homeserver):
    """The tests' homeserver handle, with the bench's CSRs (localparts) and a way to stop it."""

    csrs: list[str] = field(default_factory=list)
    appservice: MatrixConfig | None = None
    """The registration Synapse loaded (its `appservice_url` is where the appservice-mode serve must listen)."""

    def stop(self) -> None:
        self.synapse.stop()


def start_homeserver(workdir: Path, csrs: int, queues: list[str], exempt_bot: bool = True) -> BenchHomeserver:
    """Blocking (Synapse's helpers are sync): call it in a thread. `exempt_bot=False` leaves the bridge's bot
    at Synapse's default message limit, as a homeserver whose admin did not exempt it."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    appservice = appservice_settings(f"http://127.0.0.1:{port}", free_port(), AS_BOT)
    write_registration(appservice, workdir / "registration.yaml")
    synapse = Synapse(workdir / "synapse", port, {"app_service_config_files": [str(workdir / "registration.yaml")]})
    synapse.start()
    register_bot(synapse, appservice)
    synapse.register("admin", password("admin"), admin=True)
    people = [csr_localpart(i) for i in range(csrs)]
    for user in (BOT, BASELINE_BOT, *people):
        synapse.register(user, password(user))
        if exempt_bot or user != BOT:
            synapse.exempt(user)
    hs = BenchHomeserver(synapse, csrs=people, appservice=appservice)
    for queue in queues:
        room = synapse.create_room("admin", queue, invite=[BOT, AS_BOT, BASELINE_BOT, *people])
        for user in (BASELINE_BOT, *people):
            synapse.join(user, room)
        hs.rooms[queue] = room
    return hs
