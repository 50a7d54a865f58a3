"""What a supervisor may act on: the queues in their roster entry's `supervises` (empty: every queue).

Every refusal says what was refused and is logged with who tried, so an admin can see attempts
to reach beyond one's queues. The role itself is checked by the bus before a handler runs.
"""

import logging

from bridge.commands.bus import CommandError
from bridge.commands.registry import Invocation
from bridge.config.agents import AgentConfig
from bridge.domain.chat import Chat

log = logging.getLogger(__name__)


def refused(inv: Invocation, what: str, text: str) -> CommandError:
    log.warning("supervision refused: %s (%s) may not act on %s", inv.agent.id, inv.agent.role, what)
    return CommandError(text)


def supervised(inv: Invocation) -> list[str]:
    """The caller's queues, in config order."""
    limit = set(inv.agent.supervises)
    return [q.name for q in inv.app.config.queues if not limit or q.name in limit]


def display(inv: Invocation, queue: str) -> str:
    return inv.app.config.queue(queue).display_name


def known_queue(inv: Invocation, name: str) -> str:
    wanted = name.lower()
    if not inv.app.config.has_queue(wanted):
        names = ", ".join(supervised(inv)) or "none"
        raise CommandError(f"There is no queue `{wanted}`. Your queues: {names}.")
    return wanted


def queue_in_scope(inv: Invocation, name: str) -> str:
    queue = known_queue(inv, name)
    if queue not in supervised(inv):
        raise refused(inv, f"queue {queue}", f"You don't supervise {display(inv, queue)}; "
                                             f"your queues: {', '.join(supervised(inv))}.")
    return queue


def queues_of(inv: Invocation, name: str | None) -> list[str]:
    """One named queue (checked), or every queue the caller supervises."""
    return [queue_in_scope(inv, name)] if name else supervised(inv)


async def chat_in_scope(inv: Invocation, id_or_prefix: str) -> Chat:
    chat = await inv.app.chats.find(id_or_prefix)
    if chat is None:
        raise CommandError(f"No chat `{id_or_prefix}`. `csr chats` lists the open ones.")
    if chat.queue not in supervised(inv):
        raise refused(inv, f"chat {chat.id} in {chat.queue}",
                      f"That chat is in {display(inv, chat.queue)}, which you don't supervise.")
    return chat


def agent_named(inv: Invocation, target: str) -> AgentConfig:
    """A roster entry by id (`bob`, `@bob`), Slack mention (`<@U123>`) or Matrix id (`@bob:example.org`)."""
    app = inv.app
    if target.startswith("<@") and target.endswith(">"):
        agent = app.agent_by_platform_id("slack", target[2:-1].split("|")[0])
    elif target.startswith("@") and ":" in target:
        agent = app.agent_by_platform_id("matrix", target)
    else:
        agent = app.agent(target.lstrip("@").lower())
    if agent is None:
        raise CommandError(f"`{target}` is not on the roster.")
    return agent


def agent_in_scope(inv: Invocation, agent: AgentConfig) -> AgentConfig:
    if inv.agent.supervises and not set(agent.queues) & set(supervised(inv)):
        raise refused(inv, f"agent {agent.id}", f"{agent.display_name} works none of the queues you supervise.")
    return agent
