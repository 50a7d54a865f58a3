"""`csr queues`, `csr agents [QUEUE]`, `csr chats [QUEUE]`: live tables for supervisors; `csr report`: the figures.

`csr chats` is also a CSR's own list of open chats (the bus points CSRs to it when they must name
a chat); only supervisors see other people's chats or name a queue.

`csr report [today|7d|30d] [QUEUE] [tag:TAG]... [outcome:OUTCOME]` builds the team's figures, a chart
and a CSV in an RQ job, over the chats filed that way when filters are given. The reply comes later from
the job (through the reports outbox): in the caller's DM, or in the supervisors' channel or room when
asked there.
"""

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bridge.commands.context import CommandContext
from bridge.commands.registry import Arg, ArgKind, CommandError, CommandSpec, Invocation
from bridge.commands.replies import Reply, Table, Text
from bridge.config.root import BridgeConfig
from bridge.domain.agent import Role
from bridge.figures import minutes, share
from bridge.hours import Status
from bridge.jobs import Enqueue
from reports.filters import ChatFilter, add_filter, is_filter
from reports.live import LiveViews
from reports.period import LABELS, PERIODS, day_start
from reports.scope import SupervisorScope, refused

JOB = "reports.jobs.post_report"
"""By name: the job's module draws with matplotlib, which the command layer need not import."""

"""Queues an RQ job by dotted name with its arguments (bridge.jobs.enqueue, bound to the app)."""


class SupervisorViews:
    """The live tables, read through reports.live; `clock` is routing's (tests move it)."""

    def __init__(self, config: BridgeConfig, live: LiveViews, clock: Callable[[], float],
                 scope: SupervisorScope) -> None:
        self._config = config
        self._live = live
        self._clock = clock
        self._scope = scope

    def specs(self) -> list[CommandSpec]:
        queue = (Arg("QUEUE", ArgKind.QUEUE, optional=True),)
        return [
            CommandSpec("queues", "Supervisors: waiting customers, offers and CSRs of each queue.", self.queues,
                        args=queue, role=Role.SUPERVISOR),
            CommandSpec("agents", "Supervisors: each CSR's presence, load, offers and missed offers.", self.agents,
                        args=queue, role=Role.SUPERVISOR),
            CommandSpec("chats", "Open chats with their CSR, wait and duration (yours, or a supervisor's queues).",
                        self.chats, args=queue),
        ]

    async def queues(self, inv: Invocation) -> Reply:
        rows = []
        scope = self._scope.queues_of(inv.agent, _arg(inv))
        for q in await self._live.queues_now(scope, self._clock()):
            rows.append((q.display, str(q.waiting), minutes(q.longest_wait) if q.waiting else "—", str(q.offers),
                         str(q.available), str(q.busy), str(q.away), share(q.within_target, q.answered),
                         str(q.messages), self._hours(q.name, q.hours)))
        return Table("Queues now", ("Queue", "Waiting", "Longest wait", "Offers out", "Available", "Busy", "Away",
                                    "Answered in target (1 h)", "Left messages", "Hours"), tuple(rows))

    def _hours(self, queue: str, status: Status) -> str:
        """"open", or "closed" with when it opens, in the queue's own zone."""
        if status.open:
            return "open"
        hours = self._config.hours_of(queue)
        if status.opens_at is None or hours is None:
            return "closed"
        at = datetime.fromtimestamp(status.opens_at, ZoneInfo(hours.time_zone))
        return f"closed, opens {at:%a %d %b %H:%M} {hours.time_zone}"

    async def agents(self, inv: Invocation) -> Reply:
        named = _arg(inv)
        scope = set(self._scope.queues_of(inv.agent, named))
        people = [a for a in self._config.agents if set(a.queues) & scope]
        now = self._clock()
        rows = []
        for a in await self._live.agents_now(people, now, day_start(now, self._config.reports.timezone)):
            shown = ", ".join(a.chat_ids[:3]) + (" …" if len(a.chat_ids) > 3 else "")
            rows.append((a.agent.display_name, str(a.presence), minutes(now - a.since) if a.since else "—",
                         f"{a.load}/{a.capacity}", str(a.offers), str(a.missed_today), shown or "—"))
        title = f"CSRs of {self._scope.display(named.lower())}" if named else "CSRs"
        return Table(title, ("CSR", "Presence", "For", "Chats", "Offers", "Missed today", "Open chats"), tuple(rows))

    async def chats(self, inv: Invocation) -> Reply:
        supervisor = Role(inv.agent.role).at_least(Role.SUPERVISOR)
        if not supervisor and inv.args:
            raise refused(inv.agent, f"queue {inv.args[0]}", "Only supervisors list a queue's chats; "
                                                             "`csr chats` alone lists yours.")
        scope = self._scope.queues_of(inv.agent, _arg(inv)) if supervisor else [q.name for q in self._config.queues]
        now = self._clock()
        found = await self._live.open_chats(scope, now)
        if not supervisor:
            found = [n for n in found if n.chat.agent_id == inv.agent.id]
        rows = tuple((n.chat.id, n.chat.customer.name, self._scope.display(n.chat.queue), str(n.chat.state),
                      self._name(n.chat.agent_id), minutes(n.wait), minutes(n.duration)) for n in found)
        title = "Open chats" if supervisor else "Your open chats"
        return Table(title, ("Chat", "Customer", "Queue", "State", "CSR", "Wait", "Duration"), rows)

    def _name(self, agent_id: str) -> str:
        agent = self._config.agent(agent_id)
        return agent.display_name if agent else agent_id or "—"


class ReportCommand:
    def __init__(self, scope: SupervisorScope, config: BridgeConfig, enqueue: Enqueue) -> None:
        self._scope = scope
        self._config = config
        self._enqueue = enqueue

    def specs(self) -> list[CommandSpec]:
        return [CommandSpec("report", "Supervisors: offers, waits, handle times, accept rates and ratings, with a "
                            "chart and a CSV; tag:TAG and outcome:OUTCOME count only the chats filed that way.",
                            self.report,
                            args=(Arg("|".join(PERIODS), optional=True), Arg("QUEUE", optional=True),
                                  Arg("tag:TAG|outcome:OUTCOME", optional=True, rest=True)),
                            role=Role.SUPERVISOR)]

    def _arguments(self, inv: Invocation) -> tuple[str, str | None, ChatFilter]:
        """Period, queue and filters in any order, so the queue is checked here rather than by its position."""
        name, queue, named, found = "today", None, False, ChatFilter()
        for arg in inv.args:
            word = arg.lower()
            if is_filter(word):
                found = add_filter(found, arg, self._config.chats.outcomes)
            elif word in PERIODS and not named:
                name, named = word, True
            elif queue is None:
                queue = self._scope.known_queue(inv.agent, word)
            else:
                raise CommandError("Usage: `csr report [today|7d|30d] [QUEUE] [tag:TAG]... [outcome:OUTCOME]`")
        return name, queue, found

    def _in_supervisors_room(self, ctx: CommandContext) -> bool:
        cfg = self._config
        room = {"slack": cfg.slack.supervisors_channel, "matrix": cfg.matrix.supervisors_room}.get(ctx.platform, "")
        return bool(room) and ctx.conversation == room

    async def report(self, inv: Invocation) -> Reply:
        name, queue, found = self._arguments(inv)
        queues = self._scope.queues_of(inv.agent, queue)
        public = self._in_supervisors_room(inv.ctx)
        await self._enqueue(JOB, name, queues, inv.agent.id, inv.ctx.platform,
                            inv.ctx.conversation if public else "", inv.ctx.thread_id if public else "",
                            list(found.tags), found.outcome)
        scope = self._scope.display(queue) if queue else "your queues"
        where = "here" if public else "in your direct messages"
        return Text(f"Building the report for {scope}, {LABELS[name]}{found.label}: the figures, a chart and a CSV "
                    f"come {where} shortly.")


def _arg(inv: Invocation) -> str | None:
    return inv.args[0] if inv.args else None


def commands(config: BridgeConfig, live: LiveViews, clock: Callable[[], float], scope: SupervisorScope,
             enqueue: Enqueue) -> list[CommandSpec]:
    return [*SupervisorViews(config, live, clock, scope).specs(), *ReportCommand(scope, config, enqueue).specs()]
