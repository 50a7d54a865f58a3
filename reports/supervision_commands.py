"""Stepping in: `csr monitor CHAT`, `csr reassign CHAT @agent|QUEUE`, `csr presence @agent STATE`,
`csr broadcast QUEUE TEXT`. Changes go through the routing scripts like everyone else's."""

import logging

from bridge.commands.arguments import is_queue
from bridge.commands.registry import Arg, ArgKind, CommandError, CommandSpec, Invocation
from bridge.commands.replies import Reply, Text
from bridge.config.agents import AgentConfig
from bridge.config.root import BridgeConfig
from bridge.domain.agent import Presence, Role
from bridge.domain.chat import Chat, ChatState
from bridge.events.notices import Notices
from bridge.events.threads import ThreadStore
from bridge.ports import AgentSurface, SupervisorSurface
from bridge.service import ChatService
from reports.scope import SupervisorScope, refused
from routing.router import Router
from routing.settings import allowed_queues

log = logging.getLogger(__name__)
PLATFORMS = {"slack": "Slack", "matrix": "Matrix"}
MAX_BROADCAST = 2000


class SupervisorActions:
    def __init__(self, scope: SupervisorScope, config: BridgeConfig, service: ChatService, router: Router,
                 threads: ThreadStore, surfaces: dict[str, AgentSurface], notices: Notices) -> None:
        self._scope = scope
        self._config = config
        self._service = service
        self._router = router
        self._threads = threads
        self._surfaces = surfaces
        self._notices = notices

    def specs(self) -> list[CommandSpec]:
        return [
            CommandSpec("monitor", "Supervisors: read along with a chat's thread.", self.monitor,
                        args=(Arg("CHAT", ArgKind.CHAT, optional=True),), role=Role.SUPERVISOR),
            CommandSpec("reassign", "Supervisors: give a waiting or active chat to a CSR at once, or move it to a "
                        "queue.", self.reassign, args=(Arg("CHAT", ArgKind.CHAT), Arg("@agent|QUEUE", ArgKind.TARGET)),
                        role=Role.SUPERVISOR),
            CommandSpec("presence", "Supervisors: set a CSR's presence.", self.presence,
                        args=(Arg("@agent", ArgKind.AGENT), Arg("available|away|offline")), role=Role.SUPERVISOR),
            CommandSpec("broadcast", "Supervisors: send a message to every CSR of a queue.", self.broadcast,
                        args=(Arg("QUEUE", ArgKind.QUEUE), Arg("TEXT", ArgKind.TEXT, rest=True)),
                        role=Role.SUPERVISOR),
        ]

    async def monitor(self, inv: Invocation) -> Reply:
        if not inv.args and not inv.ctx.chat_id:
            raise CommandError("Name the chat: `csr monitor CHAT` (`csr chats` lists them).")
        chat = await self._scope.chat_in_scope(inv.agent, inv.args[0] if inv.args else inv.ctx.chat_id)
        if chat.state == ChatState.CLOSED:
            raise CommandError("That chat has ended.")
        thread = await self._threads.get(chat) if chat.platform else None
        if thread is None:
            raise CommandError(f"Nobody has the chat with {chat.customer.name} yet, so it has no thread to read; "
                               "`csr reassign` hands it to a CSR.")
        where = PLATFORMS.get(thread.platform, thread.platform)
        surface = self._surfaces.get(thread.platform)
        if not isinstance(surface, SupervisorSurface):
            raise CommandError(f"Reading along is not available for chats on {where}.")
        if not surface.reaches(inv.agent):
            raise CommandError(f"The chat's thread is on {where}, where the roster has no account for you.")
        along = await surface.invite_supervisor(thread, chat, inv.agent)
        await self._service.staff_notice(chat.id, f"{inv.agent.display_name} (supervisor) is reading along.",
                                         data={"monitored_by": inv.agent.id})
        log.info("%s monitors chat %s on %s (%s)", inv.agent.id, chat.id, thread.platform, along.how)
        lead = {"member": "You are in its channel already.",
                "copy": "A live copy of the chat comes to your direct messages with the bot.",
                "invited": "You were invited to its room."}.get(along.how, "")
        return Text(f"Reading along with {chat.customer.name} ({self._scope.display(chat.queue)}). {lead} "
                    f"Thread: {along.link}")

    def thread_platform(self, agent: AgentConfig, chat: Chat, fallback: str) -> str:
        """Where the new CSR's thread opens: where the chat is when they are there, else a platform with
        a channel or room for the queue where they have an account."""
        cfg = self._config
        usable = [p for p, uid, rooms, on in (("slack", agent.slack_user_id, cfg.slack.channels_of(chat.queue),
                                               cfg.slack.enabled),
                                              ("matrix", agent.matrix_user_id, cfg.matrix.rooms_of(chat.queue),
                                               cfg.matrix.enabled))
                  if uid and on and rooms]
        if chat.platform and (chat.platform in usable or not usable):
            return chat.platform
        return usable[0] if usable else fallback

    async def reassign(self, inv: Invocation) -> Reply:
        chat = await self._scope.chat_in_scope(inv.agent, inv.args[0])
        target = inv.args[1]
        if chat.state not in (ChatState.WAITING, ChatState.OFFERED, ChatState.ACTIVE):
            raise CommandError(f"Only a waiting or active chat can be reassigned; this one is {chat.state}.")
        if not target.startswith(("@", "<@")) and is_queue(self._config, target):
            return await self._to_queue(inv, chat, self._scope.queue_in_scope(inv.agent, target))
        agent = self._scope.agent_named(target)
        display = self._scope.display
        if chat.queue not in allowed_queues(self._config, agent):
            raise CommandError(f"{agent.display_name} is not on the roster (or lacks the skills) for "
                               f"{display(chat.queue)}; pick one of its CSRs, or move the chat to a queue first.")
        result = await self._router.reassign_to_agent(chat.id, agent,
                                                      self.thread_platform(agent, chat, inv.ctx.platform), inv.agent)
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
            return Text(f"{name} has the chat with {chat.customer.name} now, taken from "
                        f"{self._name(result.get('from'))}; both were told.")
        return Text(f"{name} has the chat with {chat.customer.name} now; they were told.")

    async def _to_queue(self, inv: Invocation, chat: Chat, queue: str) -> Reply:
        display = self._scope.display
        result = await self._router.move_to_queue(chat.id, queue, inv.agent.id)
        if result.status == "same_queue":
            raise CommandError(f"That chat is already waiting in {display(queue)}.")
        if result.status == "nobody_signed_in":
            raise CommandError(f"Nobody who could take {display(queue)} is signed in; the chat stays where it is.")
        if result.status != "queued":
            raise CommandError("That chat moved on meanwhile; `csr chats` shows where it is now.")
        log.info("%s moved chat %s to queue %s", inv.agent.id, chat.id, queue)
        return Text(f"The chat with {chat.customer.name} now waits in {display(queue)}.")

    async def presence(self, inv: Invocation) -> Reply:
        agent = self._scope.agent_in_scope(inv.agent, self._scope.agent_named(inv.args[0]))
        value = inv.args[1].lower()
        if value not in {p.value for p in Presence}:
            raise CommandError("Presence is available, away or offline.")
        if value != Presence.OFFLINE and not self._config.platforms_of(agent):
            raise CommandError(f"{agent.display_name} has no account on an enabled platform, so no offer could "
                               "reach them; add their Slack or Matrix id to the roster first.")
        result = await self._router.set_presence(agent, Presence(value))
        if result.get("was") == value:
            return Text(f"{agent.display_name} is {value} already.")
        effect = "New chats come to you again." if value == Presence.AVAILABLE else \
            "No new chats come to you; your open chats stay with you."
        await self._notices.send(agent.id, f"{inv.agent.display_name} set you {value}. {effect}")
        log.info("%s set %s %s", inv.agent.id, agent.id, value)
        return Text(f"{agent.display_name} is {value} now (was {result.get('was') or 'unknown'}); they were told.")

    async def broadcast(self, inv: Invocation) -> Reply:
        queue = self._scope.queue_in_scope(inv.agent, inv.args[0])
        text = inv.args[1] if len(inv.args) == 2 else inv.rest.partition(" ")[2].strip()
        if not text:
            raise CommandError("Usage: `csr broadcast QUEUE TEXT`")
        if len(text) > MAX_BROADCAST:
            raise refused(inv.agent, "a broadcast that long", f"A broadcast is at most {MAX_BROADCAST} characters.")
        people = [a for a in self._config.agents if queue in a.queues and a.id != inv.agent.id]
        for agent in people:
            await self._notices.send(agent.id, f"📣 {inv.agent.display_name} to {self._scope.display(queue)}: {text}")
        log.info("%s broadcast to %s (%d CSRs)", inv.agent.id, queue, len(people))
        names = ", ".join(a.display_name for a in people) or "nobody (no one else is on this queue)"
        return Text(f"Sent to {len(people)} of {self._scope.display(queue)}: {names}.")

    def _name(self, agent_id: str) -> str:
        agent = self._config.agent(agent_id)
        return agent.display_name if agent else agent_id


def commands(scope: SupervisorScope, config: BridgeConfig, service: ChatService, router: Router,
             threads: ThreadStore, surfaces: dict[str, AgentSurface], notices: Notices) -> list[CommandSpec]:
    return SupervisorActions(scope, config, service, router, threads, surfaces, notices).specs()
