"""(d) Synapse stopped (for a minute) while chats are busy, then started: the bridge keeps the customers'
words in its outbox and posts them when the homeserver is back, each once and in order; the CSR's replies
sent meanwhile (retried by their client) reach the customers once."""

import asyncio
from pathlib import Path

from bench.faults.matrix_desk import MatrixDesk
from bench.faults.rig import Rig
from bench.faults.tally import Tally
from bench.faults.traffic import Conversations
from testkit.homeserver import BOT, Homeserver, password, populate
from testkit.matrix_people import MatrixPerson

NAME = "d. Synapse stopped, started"


def matrix_config(hs: Homeserver, chats: int) -> dict[str, object]:
    return {
        "matrix": {"enabled": True, "homeserver": hs.url, "user_id": hs.user_id(BOT), "password": password(BOT),
                   "rooms": {"general": hs.rooms["general"]}, "send_per_second": 0},
        "agents": [{"id": "alice", "display_name": "Alice", "queues": ["general"], "capacity": min(chats, 50),
                    "matrix_user_id": hs.user_id("alice")}],
    }


async def run(workdir: Path, chats: int = 20, messages: int = 10, outage: float = 60.0,
              quiet: float = 60.0) -> list[Tally]:
    (workdir / "synapse").mkdir(parents=True, exist_ok=True)
    hs = await asyncio.to_thread(populate, workdir / "synapse")
    alice = MatrixPerson(hs, "alice")
    try:
        rig = await Rig(workdir).start(matrix_config(hs, chats))
        try:
            await rig.start_serve()
            await alice.start()
            desk = MatrixDesk(hs, alice, rig.redis, rig.keys)
            await desk.available()
            talk = Conversations(rig, desk, chats, messages, pause=outage * 1.5 / messages)  # type: ignore[arg-type]
            await talk.open()

            async def homeserver_away() -> None:
                await asyncio.to_thread(hs.synapse.stop)
                await asyncio.sleep(outage)
                await asyncio.to_thread(hs.synapse.restart)

            caught_up = await talk.through_fault(0.1, homeserver_away, quiet)
            to_thread, to_customer = await talk.tallies(NAME)
            await talk.close()
        finally:
            await rig.stop()
    finally:
        await alice.stop()
        await asyncio.to_thread(hs.synapse.stop)
    to_thread.notes.append(f"{chats} chats, homeserver away {outage:g} s, "
                           + (f"all in {caught_up:.0f} s after it was back" if caught_up is not None else "incomplete"))
    to_customer.notes.append(f"{desk.retried_events} CSR sends repeated")
    return [to_thread, to_customer]
