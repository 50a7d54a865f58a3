"""`csr report [today|7d|30d] [QUEUE]`: the team's figures, a chart and a CSV, built by an RQ job.

The reply comes later from the job (through the reports outbox): in the caller's DM, or in the
supervisors' channel or room when asked there.
"""

from bridge.commands.bus import CommandError
from bridge.commands.handlers.supervision_scope import display, known_queue, queues_of
from bridge.commands.registry import CommandSpec, Invocation
from bridge.commands.replies import Reply, Text
from bridge.domain.agent import Role
from bridge.jobs import enqueue
from reports.period import LABELS, PERIODS

JOB = "reports.jobs.post_report"
"""By name: the job's module draws with matplotlib, which the command layer need not import."""


def _arguments(inv: Invocation) -> tuple[str, str | None]:
    name, queue, named = "today", None, False
    for arg in inv.args:
        word = arg.lower()
        if word in PERIODS and not named:
            name, named = word, True
        elif queue is None:
            queue = known_queue(inv, word)
        else:
            raise CommandError("Usage: `csr report [today|7d|30d] [QUEUE]`")
    return name, queue


def _in_supervisors_room(inv: Invocation) -> bool:
    cfg = inv.app.config
    room = {"slack": cfg.slack.supervisors_channel, "matrix": cfg.matrix.supervisors_room}.get(inv.ctx.platform, "")
    return bool(room) and inv.ctx.conversation == room


async def report(inv: Invocation) -> Reply:
    name, queue = _arguments(inv)
    queues = queues_of(inv, queue)
    public = _in_supervisors_room(inv)
    await enqueue(inv.app, JOB, name, queues, inv.agent.id, inv.ctx.platform,
                  inv.ctx.conversation if public else "", inv.ctx.thread_id if public else "")
    scope = display(inv, queue) if queue else "your queues"
    where = "here" if public else "in your direct messages"
    return Text(f"Building the report for {scope}, {LABELS[name]}: the figures, a chart and a CSV come {where} "
                "shortly.")


COMMANDS = [
    CommandSpec("report", "csr report [today|7d|30d] [QUEUE]",
                "Supervisors: offers, waits, handle times, accept rates and ratings, with a chart and a CSV.",
                report, role=Role.SUPERVISOR, max_args=2),
]
