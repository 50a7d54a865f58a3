"""Stepping in: `csr monitor CHAT`, `csr reassign CHAT @agent|QUEUE`, `csr presence @agent STATE`,
`csr broadcast QUEUE TEXT`. Changes go through the routing scripts like everyone else's."""

import logging

from bridge.commands.bus import CommandError
from bridge.commands.handlers.supervision_scope import (
    agent_in_scope,
    agent_named,
    chat_in_scope,
    display,
    queue_in_scope,
    refused,
)
from bridge.commands.registry import CommandSpec, Invocation
from bridge.commands.replies import Reply, Text
from bridge.config.agents import AgentConfig
from bridge.domain.agent import Presence, Role
from bridge.domain.chat import Chat, ChatState
from bridge.ports import SupervisorSurface
from routing.settings import allowed_queues

log = logging.getLogger(__name__)
PLATFORMS = {"slack": "Slack", "matrix": "Matrix"}
MAX_BROADCAST = 2000


async def monitor(inv: Invocation) -> Reply:
    if not inv.args and not inv.ctx.chat_id:
        raise CommandError("Name the chat: `csr monitor CHAT` (`csr chats` lists them).")
    chat = await chat_in_scope(inv, inv.args[0] if inv.args else inv.ctx.chat_id)
    if chat.state == ChatState.CLOSED:
        raise CommandError("That chat has ended.")
    thread = await inv.app.threads.get(chat) if chat.platform else None
    if thread is None:
        raise CommandError(f"Nobody has the chat with {chat.customer.name} yet, so it has no thread to read; "
                           "`csr reassign` hands it to a CSR.")
    where = PLATFORMS.get(thread.platform, thread.platform)
    surface = inv.app.surfaces.get(thread.platform)
    if not isinstance(surface, SupervisorSurface):
        raise CommandError(f"Reading along is not available for chats on {where}.")
    if not surface.reaches(inv.agent):
        raise CommandError(f"The chat's thread is on {where}, where the roster has no account for you.")
    along = await surface.invite_supervisor(thread, chat, inv.agent)
    await inv.app.service.staff_notice(chat.id, f"{inv.agent.display_name} (supervisor) is reading along.",
                                       data={"monitored_by": inv.agent.id})
    log.info("%s monitors chat %s on %s (%s)", inv.agent.id, chat.id, thread.platform, along.how)
    lead = {"member": "You are in its channel already.",
            "copy": "A live copy of the chat comes to your direct messages with the bot.",
            "invited": "You were invited to its room."}.get(along.how, "")
    return Text(f"Reading along with {chat.customer.name} ({display(inv, chat.queue)}). {lead} Thread: {along.link}")


def thread_platform(inv: Invocation, agent: AgentConfig, chat: Chat) -> str:
    """Where the new CSR's thread opens: where the chat is when they are there, else a platform with
    a channel or room for the queue where they have an account."""
    cfg = inv.app.config
    usable = [p for p, uid, rooms, on in (("slack", agent.slack_user_id, cfg.slack.channels, cfg.slack.enabled),
                                          ("matrix", agent.matrix_user_id, cfg.matrix.rooms, cfg.matrix.enabled))
              if uid and on and chat.queue in rooms]
    if chat.platform and (chat.platform in usable or not usable):
        return chat.platform
    return usable[0] if usable else inv.ctx.platform


async def reassign(inv: Invocation) -> Reply:
    chat = await chat_in_scope(inv, inv.args[0])
    target = inv.args[1]
    if chat.state not in (ChatState.WAITING, ChatState.OFFERED, ChatState.ACTIVE):
        raise CommandError(f"Only a waiting or active chat can be reassigned; this one is {chat.state}.")
    if not target.startswith(("@", "<@")) and inv.app.config.has_queue(target.lower()):
        return await _to_queue(inv, chat, queue_in_scope(inv, target))
    agent = agent_named(inv, target)
    if chat.queue not in allowed_queues(inv.app.config, agent):
        raise CommandError(f"{agent.display_name} is not on the roster (or lacks the skills) for "
                           f"{display(inv, chat.queue)}; pick one of its CSRs, or move the chat to a queue first.")
    result = await inv.app.router.reassign_to_agent(chat.id, agent, thread_platform(inv, agent, chat), inv.agent)
    name = agent.display_name
    answers = {
        "self": f"The chat is already with {name}.",
        "offline": f"{name} is offline; set them available first (`csr presence @{agent.id} available`) or pick "
                   "someone else.",
        "full": f"{name} has no room: {result.get('load')} of {result.get('capacity')} chats open.",
    }
    if result.status in answers:
        raise CommandError(answers[result.status])
    if result.status != "assigned":
        raise CommandError("That chat moved on meanwhile; `csr chats` shows where it is now.")
    log.info("%s reassigned chat %s to %s", inv.agent.id, chat.id, agent.id)
    if result.get("from"):
        return Text(f"{name} has the chat with {chat.customer.name} now, taken from {_name(inv, result.get('from'))}; "
                    "both were told.")
    return Text(f"{name} has the chat with {chat.customer.name} now; they were told.")


async def _to_queue(inv: Invocation, chat: Chat, queue: str) -> Reply:
    result = await inv.app.router.move_to_queue(chat.id, queue, inv.agent.id)
    if result.status == "same_queue":
        raise CommandError(f"That chat is already waiting in {display(inv, queue)}.")
    if result.status == "nobody_signed_in":
        raise CommandError(f"Nobody who could take {display(inv, queue)} is signed in; the chat stays where it is.")
    if result.status != "queued":
        raise CommandError("That chat moved on meanwhile; `csr chats` shows where it is now.")
    log.info("%s moved chat %s to queue %s", inv.agent.id, chat.id, queue)
    return Text(f"The chat with {chat.customer.name} now waits in {display(inv, queue)}.")


async def presence(inv: Invocation) -> Reply:
    agent = agent_in_scope(inv, agent_named(inv, inv.args[0]))
    value = inv.args[1].lower()
    if value not in {p.value for p in Presence}:
        raise CommandError("Presence is available, away or offline.")
    if value != Presence.OFFLINE and not inv.app.config.platforms_of(agent):
        raise CommandError(f"{agent.display_name} has no account on an enabled platform, so no offer could reach "
                           "them; add their Slack or Matrix id to the roster first.")
    result = await inv.app.router.set_presence(agent, Presence(value))
    if result.get("was") == value:
        return Text(f"{agent.display_name} is {value} already.")
    effect = "New chats come to you again." if value == Presence.AVAILABLE else \
        "No new chats come to you; your open chats stay with you."
    await inv.app.notices.send(agent.id, f"{inv.agent.display_name} set you {value}. {effect}")
    log.info("%s set %s %s", inv.agent.id, agent.id, value)
    return Text(f"{agent.display_name} is {value} now (was {result.get('was') or 'unknown'}); they were told.")


async def broadcast(inv: Invocation) -> Reply:
    queue = queue_in_scope(inv, inv.args[0])
    text = inv.args[1] if len(inv.args) == 2 else inv.rest.partition(" ")[2].strip()
    if not text:
        raise CommandError("Usage: `csr broadcast QUEUE TEXT`")
    if len(text) > MAX_BROADCAST:
        raise refused(inv, "a broadcast that long", f"A broadcast is at most {MAX_BROADCAST} characters.")
    people = [a for a in inv.app.config.agents if queue in a.queues and a.id != inv.agent.id]
    for agent in people:
        await inv.app.notices.send(agent.id, f"📣 {inv.agent.display_name} to {display(inv, queue)}: {text}")
    log.info("%s broadcast to %s (%d CSRs)", inv.agent.id, queue, len(people))
    names = ", ".join(a.display_name for a in people) or "nobody (no one else is on this queue)"
    return Text(f"Sent to {len(people)} of {display(inv, queue)}: {names}.")


def _name(inv: Invocation, agent_id: str) -> str:
    agent = inv.app.agent(agent_id)
    return agent.display_name if agent else agent_id


COMMANDS = [
    CommandSpec("monitor", "csr monitor CHAT", "Supervisors: read along with a chat's thread.", monitor,
                role=Role.SUPERVISOR, max_args=1),
    CommandSpec("reassign", "csr reassign CHAT @agent|QUEUE",
                "Supervisors: give a waiting or active chat to a CSR at once, or move it to a queue.", reassign,
                role=Role.SUPERVISOR, min_args=2, max_args=2),
    CommandSpec("presence", "csr presence @agent available|away|offline", "Supervisors: set a CSR's presence.",
                presence, role=Role.SUPERVISOR, min_args=2, max_args=2),
    CommandSpec("broadcast", "csr broadcast QUEUE TEXT", "Supervisors: send a message to every CSR of a queue.",
                broadcast, role=Role.SUPERVISOR, min_args=2),
]
