"""`[matrix] homeserver = "embedded"`: `serve` runs a Synapse on loopback and sets it up for the roster.

On every start, and idempotently, it makes the bot, an admin and an account for each CSR and supervisor on
the roster, lifts the bot's message rate limit, and makes one room per queue (alias `#QUEUE:localhost`)
plus the supervisors' room, inviting whoever works there. People joined when their account is made, so
signing in for the first time shows the rooms already; a CSR added to the roster later gets invitations.
"""

import asyncio
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from pydantic import SecretStr

from adapters.matrix.homeserver.accounts import ADMIN, ADMIN_ROLE, BOT_ROLE, Account, load_accounts, save_accounts
from adapters.matrix.homeserver.synapse import AccountExists, Synapse, SynapseError
from bridge.config.agents import AgentConfig
from bridge.config.matrix import EMBEDDED_SERVER_NAME, MatrixConfig
from bridge.config.queues import QueueConfig

LOGINS_FILE = "logins.json"
SUPERVISORS = "supervisors"


def overrides(port: int) -> dict[str, object]:
    """Loopback only, no federation, no telemetry; the rest is Synapse's defaults, rate limits included."""
    return {
        "public_baseurl": f"http://127.0.0.1:{port}/",
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "enable_registration": False,
        "report_stats": False,
        "url_preview_enabled": False,
        "presence": {"enabled": False},
        "max_upload_size": "50M",
    }


@dataclass(frozen=True)
class RoomPlan:
    alias: str
    """The alias's localpart; the config names the room `#ALIAS:localhost`."""
    name: str
    members: list[str]
    """Localparts of the people who work there."""


def room_plans(queues: list[QueueConfig], agents: list[AgentConfig]) -> list[RoomPlan]:
    def works_in(agent: AgentConfig, queue: str) -> bool:
        supervises = agent.role != "csr" and (not agent.supervises or queue in agent.supervises)
        return queue in agent.queues or supervises

    plans = [RoomPlan(q.name, q.display_name, [_localpart(a) for a in agents if works_in(a, q.name)])
             for q in queues]
    plans.append(RoomPlan(SUPERVISORS, "Supervisors", [_localpart(a) for a in agents if a.role != "csr"]))
    return plans


def _localpart(agent: AgentConfig) -> str:
    return agent.matrix_user_id[1:].split(":", 1)[0]


class EmbeddedHomeserver:
    def __init__(self, matrix: MatrixConfig, queues: list[QueueConfig], agents: list[AgentConfig],
                 folder: Path) -> None:
        self._matrix = matrix
        self._agents = [a for a in agents if matrix.on_embedded(a.matrix_user_id)]
        self._plans = room_plans(queues, self._agents)
        self.folder = folder
        self.synapse = Synapse(folder, matrix.embedded_port, EMBEDDED_SERVER_NAME, overrides(matrix.embedded_port))
        self._bot = matrix.user_id[1:].split(":", 1)[0]

    @property
    def logins_file(self) -> Path:
        return self.folder / LOGINS_FILE

    @property
    def people(self) -> list[AgentConfig]:
        return self._agents

    async def start(self) -> MatrixConfig:
        """Starts and sets up the homeserver; returns the Matrix settings with the bot's password filled in."""
        await asyncio.to_thread(self.synapse.start)
        try:
            accounts = await asyncio.to_thread(self._provision)
        except (SynapseError, OSError):
            await self.stop()
            raise
        return self._matrix.model_copy(update={"password": SecretStr(accounts[self._bot].password)})

    async def stop(self) -> None:
        await asyncio.to_thread(self.synapse.stop)

    def _provision(self) -> dict[str, Account]:
        wanted = {self._bot: BOT_ROLE, ADMIN: ADMIN_ROLE, **{_localpart(a): a.role for a in self._agents}}
        accounts = load_accounts(self.logins_file, wanted)
        save_accounts(self.logins_file, self.synapse.url, accounts)
        fresh: dict[str, str] = {}
        for account in accounts.values():
            try:
                fresh[account.localpart] = self.synapse.register(account.localpart, account.password,
                                                                 admin=account.localpart == ADMIN)
            except AccountExists:
                pass
        admin = fresh.get(ADMIN) or self.synapse.login(ADMIN, accounts[ADMIN].password)
        bot = fresh.get(self._bot) or self.synapse.login(self._bot, accounts[self._bot].password)
        self.synapse.api("POST", f"/_synapse/admin/v1/users/{quote(self._matrix.user_id)}/override_ratelimit",
                         admin, {"messages_per_second": 0, "burst_count": 0})
        for plan in self._plans:
            self._room(plan, bot, fresh)
        for token in {*fresh.values(), admin, bot}:
            self.synapse.api("POST", "/_matrix/client/v3/logout", token, {})
        return accounts

    def _room(self, plan: RoomPlan, bot: str, fresh: dict[str, str]) -> None:
        """Makes the room once; afterwards invites whoever joined the roster since."""
        alias = quote(f"#{plan.alias}:{EMBEDDED_SERVER_NAME}")
        try:
            room_id = str(self.synapse.api("GET", f"/_matrix/client/v3/directory/room/{alias}", bot)["room_id"])
        except SynapseError:
            room_id = ""
        if not room_id:
            body = {"room_alias_name": plan.alias, "name": plan.name, "preset": "private_chat",
                    "invite": [self.synapse.user_id(m) for m in plan.members]}
            room_id = str(self.synapse.api("POST", "/_matrix/client/v3/createRoom", bot, body)["room_id"])
        else:
            state = self.synapse.api("GET", f"/_matrix/client/v3/rooms/{room_id}/members", bot)["chunk"]
            present = {e["state_key"][1:].split(":", 1)[0] for e in state
                       if e["content"].get("membership") in ("join", "invite")}
            for member in plan.members:
                if member not in present:
                    self.synapse.api("POST", f"/_matrix/client/v3/rooms/{room_id}/invite", bot,
                                     {"user_id": self.synapse.user_id(member)})
        for member in plan.members:
            if member in fresh:
                self.synapse.api("POST", f"/_matrix/client/v3/join/{room_id}", fresh[member], {})

    def sign_in_help(self) -> list[str]:
        """A few lines for the terminal: where to sign in, as whom, and where the passwords are."""
        people = ", ".join(f"{_localpart(a)} ({a.role})" for a in self._agents) or "nobody on the roster"
        try:
            where = self.logins_file.relative_to(Path.cwd())
        except ValueError:
            where = self.logins_file
        return [
            f"CSRs: sign in with any Matrix client (Element, ...) to the homeserver {self.synapse.url}",
            f"      as {people}; the passwords are in {where}",
            "      then type !csr available in a queue's room to take chats.",
        ]
