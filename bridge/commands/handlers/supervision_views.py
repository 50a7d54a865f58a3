"""`csr queues`, `csr agents [QUEUE]`, `csr chats [QUEUE]`: live tables for supervisors.

`csr chats` is also a CSR's own list of open chats (the bus points CSRs to it when they must name
a chat); only supervisors see other people's chats or name a queue.
"""

from bridge.commands.handlers.supervision_scope import display, queues_of, refused
from bridge.commands.registry import CommandSpec, Invocation
from bridge.commands.replies import Reply, Table
from bridge.domain.agent import Role
from bridge.figures import minutes, share
from reports.live import agents_now, open_chats, queues_now
from reports.period import day_start


def _arg(inv: Invocation) -> str | None:
    return inv.args[0] if inv.args else None


async def queues(inv: Invocation) -> Reply:
    rows = []
    for q in await queues_now(inv.app, queues_of(inv, _arg(inv)), inv.app.router.clock()):
        rows.append((q.display, str(q.waiting), minutes(q.longest_wait) if q.waiting else "—", str(q.offers),
                     str(q.available), str(q.busy), str(q.away), share(q.within_target, q.answered)))
    return Table("Queues now", ("Queue", "Waiting", "Longest wait", "Offers out", "Available", "Busy", "Away",
                                "Answered in target (1 h)"), tuple(rows))


async def agents(inv: Invocation) -> Reply:
    scope = set(queues_of(inv, _arg(inv)))
    people = [a for a in inv.app.config.agents if set(a.queues) & scope]
    now = inv.app.router.clock()
    rows = []
    for a in await agents_now(inv.app, people, now, day_start(now, inv.app.config.reports.timezone)):
        shown = ", ".join(a.chat_ids[:3]) + (" …" if len(a.chat_ids) > 3 else "")
        rows.append((a.agent.display_name, str(a.presence), minutes(now - a.since) if a.since else "—",
                     f"{a.load}/{a.capacity}", str(a.offers), str(a.missed_today), shown or "—"))
    title = f"CSRs of {display(inv, _arg(inv).lower())}" if _arg(inv) else "CSRs"
    return Table(title, ("CSR", "Presence", "For", "Chats", "Offers", "Missed today", "Open chats"), tuple(rows))


async def chats(inv: Invocation) -> Reply:
    supervisor = Role(inv.agent.role).at_least(Role.SUPERVISOR)
    if not supervisor and inv.args:
        raise refused(inv, f"queue {inv.args[0]}", "Only supervisors list a queue's chats; "
                                                   "`csr chats` alone lists yours.")
    scope = queues_of(inv, _arg(inv)) if supervisor else [q.name for q in inv.app.config.queues]
    now = inv.app.router.clock()
    found = await open_chats(inv.app, scope, now)
    if not supervisor:
        found = [n for n in found if n.chat.agent_id == inv.agent.id]
    rows = tuple((n.chat.id, n.chat.customer.name, display(inv, n.chat.queue), str(n.chat.state),
                  _name(inv, n.chat.agent_id), minutes(n.wait), minutes(n.duration)) for n in found)
    title = "Open chats" if supervisor else "Your open chats"
    return Table(title, ("Chat", "Customer", "Queue", "State", "CSR", "Wait", "Duration"), rows)


def _name(inv: Invocation, agent_id: str) -> str:
    agent = inv.app.agent(agent_id)
    return agent.display_name if agent else agent_id or "—"


COMMANDS = [
    CommandSpec("queues", "csr queues [QUEUE]", "Supervisors: waiting customers, offers and CSRs of each queue.",
                queues, role=Role.SUPERVISOR, max_args=1),
    CommandSpec("agents", "csr agents [QUEUE]", "Supervisors: each CSR's presence, load, offers and missed offers.",
                agents, role=Role.SUPERVISOR, max_args=1),
    CommandSpec("chats", "csr chats [QUEUE]", "Open chats with their CSR, wait and duration (yours, or a "
                "supervisor's queues).", chats, max_args=1),
]
