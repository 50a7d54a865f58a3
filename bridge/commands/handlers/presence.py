"""`csr available|away|offline|status`, `csr join QUEUE`, `csr leave QUEUE`: a CSR's presence and queues."""

from bridge.commands.registry import CommandSpec, Handler, Invocation
from bridge.commands.replies import Action, Choices, Reply, Text
from bridge.domain.agent import Presence
from routing.settings import missing_skills
from routing.state import AgentState

_OTHER_PRESENCE = {
    Presence.AVAILABLE: (("Go away", "csr away"), ("Go offline", "csr offline")),
    Presence.AWAY: (("Go available", "csr available"), ("Go offline", "csr offline")),
    Presence.OFFLINE: (("Go available", "csr available"),),
}


def _queue_names(inv: Invocation, names: tuple[str, ...]) -> str:
    return ", ".join(inv.app.config.queue_display_names(names)) or "no queue"


def describe(inv: Invocation, state: AgentState) -> str:
    chats = f"{state.load} of {state.capacity} chats open"
    if state.presence == Presence.AVAILABLE:
        offers = f", {state.pending} offer(s) waiting for your answer" if state.pending else ""
        return f"You are available for {_queue_names(inv, state.queues)}, with {chats}{offers}."
    if state.presence == Presence.AWAY:
        return f"You are away: no new chats come to you. You have {chats}; they stay with you."
    return f"You are offline: no new chats come to you. You have {chats}."


async def _state(inv: Invocation) -> AgentState:
    state = await inv.app.router.state.agent(inv.agent.id)
    if state is None:
        await inv.app.router.sync_agent(inv.agent)
        state = await inv.app.router.state.agent(inv.agent.id)
    assert state is not None
    return state


def _presence_command(presence: Presence) -> Handler:
    async def handler(inv: Invocation) -> Reply:
        await inv.app.router.set_presence(inv.agent, presence)
        return Text(describe(inv, await _state(inv)))

    return handler


async def status(inv: Invocation) -> Reply:
    state = await _state(inv)
    actions = tuple(Action(label, command) for label, command in _OTHER_PRESENCE[state.presence])
    return Choices(describe(inv, state), actions)


def _known_queue(inv: Invocation) -> str | Text:
    name = inv.args[0].lower()
    if not inv.app.config.has_queue(name):
        names = ", ".join(q.name for q in inv.app.config.queues)
        return Text(f"There is no queue `{name}`. Queues: {names}.", error=True)
    return name


async def join(inv: Invocation) -> Reply:
    name = _known_queue(inv)
    if isinstance(name, Text):
        return name
    display = inv.app.config.queue(name).display_name
    if name not in inv.agent.queues:
        return Text(f"The roster does not list you for {display}; an admin can add it to your queues.", error=True)
    if missing := missing_skills(inv.app.config, inv.agent, name):
        return Text(f"{display} needs the skill(s) {', '.join(missing)}, which the roster does not give you.",
                    error=True)
    state = await _state(inv)
    if name in state.queues:
        return Text(f"You are already in {display}.")
    await inv.app.router.join(inv.agent, name)
    return Text(f"You joined {display}. " + describe(inv, await _state(inv)))


async def leave(inv: Invocation) -> Reply:
    name = _known_queue(inv)
    if isinstance(name, Text):
        return name
    display = inv.app.config.queue(name).display_name
    if name not in (await _state(inv)).queues:
        return Text(f"You are not in {display}.")
    await inv.app.router.leave(inv.agent, name)
    return Text(f"You left {display}: no new chats come from it. Chats you have stay with you.")


COMMANDS = [
    CommandSpec("available", "csr available", "Take chats from your queues.", _presence_command(Presence.AVAILABLE),
                max_args=0),
    CommandSpec("away", "csr away", "Stop new chats for a while; your open chats stay with you.",
                _presence_command(Presence.AWAY), max_args=0),
    CommandSpec("offline", "csr offline", "Sign off: no new chats.", _presence_command(Presence.OFFLINE), max_args=0),
    CommandSpec("status", "csr status", "Your presence, queues, open chats and offers.", status, max_args=0),
    CommandSpec("join", "csr join QUEUE", "Start taking chats from a queue the roster allows you.", join,
                min_args=1, max_args=1),
    CommandSpec("leave", "csr leave QUEUE", "Stop taking new chats from a queue.", leave, min_args=1, max_args=1),
]
