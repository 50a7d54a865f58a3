"""`csr available|away|offline|status`, `csr join QUEUE`, `csr leave QUEUE`: a CSR's presence and queues."""

from bridge.commands.registry import Arg, ArgKind, CommandSpec, Handler, Invocation
from bridge.commands.replies import Action, Choices, Reply, Text
from bridge.config.agents import AgentConfig
from bridge.config.root import BridgeConfig
from bridge.domain.agent import Presence
from routing.router import Router
from routing.settings import missing_skills
from routing.state import AgentState

_OTHER_PRESENCE = {
    Presence.AVAILABLE: (("Go away", "csr away"), ("Go offline", "csr offline")),
    Presence.AWAY: (("Go available", "csr available"), ("Go offline", "csr offline")),
    Presence.OFFLINE: (("Go available", "csr available"),),
}


class PresenceCommands:
    def __init__(self, router: Router, config: BridgeConfig) -> None:
        self._router = router
        self._config = config

    def specs(self) -> list[CommandSpec]:
        queue = (Arg("QUEUE", ArgKind.QUEUE),)
        return [
            CommandSpec("available", "Take chats from your queues.", self._set(Presence.AVAILABLE)),
            CommandSpec("away", "Stop new chats for a while; your open chats stay with you.",
                        self._set(Presence.AWAY)),
            CommandSpec("offline", "Sign off: no new chats.", self._set(Presence.OFFLINE)),
            CommandSpec("status", "Your presence, queues, open chats and offers.", self.status),
            CommandSpec("join", "Start taking chats from a queue the roster allows you.", self.join, args=queue),
            CommandSpec("leave", "Stop taking new chats from a queue.", self.leave, args=queue),
        ]

    def _queue_names(self, names: tuple[str, ...]) -> str:
        return ", ".join(self._config.queue_display_names(names)) or "no queue"

    def describe(self, state: AgentState) -> str:
        chats = f"{state.load} of {state.capacity} chats open"
        if state.presence == Presence.AVAILABLE:
            offers = f", {state.pending} offer(s) waiting for your answer" if state.pending else ""
            return f"You are available for {self._queue_names(state.queues)}, with {chats}{offers}."
        if state.presence == Presence.AWAY:
            return f"You are away: no new chats come to you. You have {chats}; they stay with you."
        return f"You are offline: no new chats come to you. You have {chats}."

    async def _state(self, agent: AgentConfig) -> AgentState:
        state = await self._router.state.agent(agent.id)
        if state is None:
            await self._router.sync_agent(agent)
            state = await self._router.state.agent(agent.id)
        assert state is not None
        return state

    def _set(self, presence: Presence) -> Handler:
        async def handler(inv: Invocation) -> Reply:
            await self._router.set_presence(inv.agent, presence)
            return Text(self.describe(await self._state(inv.agent)))

        return handler

    async def status(self, inv: Invocation) -> Reply:
        state = await self._state(inv.agent)
        actions = tuple(Action(label, command) for label, command in _OTHER_PRESENCE[state.presence])
        return Choices(self.describe(state), actions)

    async def join(self, inv: Invocation) -> Reply:
        name = inv.args[0].lower()  # the bus checked it is a queue
        display = self._config.queue(name).display_name
        if name not in inv.agent.queues:
            return Text(f"The roster does not list you for {display}; an admin can add it to your queues.", error=True)
        if missing := missing_skills(self._config, inv.agent, name):
            return Text(f"{display} needs the skill(s) {', '.join(missing)}, which the roster does not give you.",
                        error=True)
        state = await self._state(inv.agent)
        if name in state.queues:
            return Text(f"You are already in {display}.")
        await self._router.join(inv.agent, name)
        return Text(f"You joined {display}. " + self.describe(await self._state(inv.agent)))

    async def leave(self, inv: Invocation) -> Reply:
        name = inv.args[0].lower()
        display = self._config.queue(name).display_name
        if name not in (await self._state(inv.agent)).queues:
            return Text(f"You are not in {display}.")
        await self._router.leave(inv.agent, name)
        return Text(f"You left {display}: no new chats come from it. Chats you have stay with you.")


def commands(router: Router, config: BridgeConfig) -> list[CommandSpec]:
    return PresenceCommands(router, config).specs()
