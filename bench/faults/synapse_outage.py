"""(d) Synapse stopped (for a minute) while chats are busy, then started: the bridge keeps the customers'
words in its outbox and posts them when the homeserver is back, each once and in order; the CSR's replies
sent meanwhile (retried by their client) reach the customers once. (h) The same with the bridge in appservice
mode: the customers' words are their ghosts' posts, and the CSR's replies come in the homeserver's transactions,
which it retries until the bridge has taken them."""

import asyncio
from pathlib import Path
from typing import Any

from bench.faults.matrix_desk import MatrixDesk
from bench.faults.rig import Rig
from bench.faults.tally import Tally
from bench.faults.traffic import Conversations
from testkit.appservice import populate_appservice
from testkit.homeserver import BOT, Homeserver, password, populate
from testkit.matrix_people import MatrixPerson

NAME = "d. Synapse stopped, started"
NAME_APPSERVICE = "h. as d, appservice mode"


def matrix_config(hs: Homeserver, chats: int) -> dict[str, Any]:
    return {
        "matrix": {"enabled": True, "homeserver": hs.url, "user_id": hs.user_id(BOT), "password": password(BOT),
                   "rooms": {"general": hs.rooms["general"]}, "send_per_second": 0},
        "agents": [{"id": "alice", "display_name": "Alice", "queues": ["general"], "capacity": min(chats, 50),
                    "matrix_user_id": hs.user_id("alice")}],
    }


async def run(workdir: Path, chats: int = 20, messages: int = 10, outage: float = 60.0,
              quiet: float = 60.0, appservice: bool = False) -> list[Tally]:
    (workdir / "synapse").mkdir(parents=True, exist_ok=True)
    rig = Rig(workdir)
    ghost_prefix = ""
    if appservice:
        ash = await asyncio.to_thread(populate_appservice, workdir / "synapse", None, rig.port)
        hs, ghost_prefix = ash.hs, ash.matrix.ghost_prefix
        config = matrix_config(hs, chats)
        config["matrix"] = {k: v for k, v in config["matrix"].items() if k not in ("password", "send_per_second")}
        m = ash.matrix
        config["matrix"] |= {"mode": "appservice", "appservice_id": m.appservice_id, "appservice_url": m.appservice_url,
                             "as_token": m.as_token.get_secret_value(), "hs_token": m.hs_token.get_secret_value()}
    else:
        hs = await asyncio.to_thread(populate, workdir / "synapse")
        config = matrix_config(hs, chats)
    name = NAME_APPSERVICE if appservice else NAME
    alice = MatrixPerson(hs, "alice")
    try:
        await rig.start(config)
        try:
            await rig.start_serve()
            await alice.start()
            desk = MatrixDesk(hs, alice, rig.redis, rig.keys, ghost_prefix)
            await desk.available()
            talk = Conversations(rig, desk, chats, messages, pause=outage * 1.5 / messages)  # type: ignore[arg-type]
            await talk.open()

            async def homeserver_away() -> None:
                await asyncio.to_thread(hs.synapse.stop)
                await asyncio.sleep(outage)
                await asyncio.to_thread(hs.synapse.restart)

            caught_up = await talk.through_fault(0.1, homeserver_away, quiet)
            to_thread, to_customer = await talk.tallies(name)
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
