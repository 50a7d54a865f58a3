"""What a supervisor may act on: the queues in their roster entry's `supervises` (empty: every queue).

Every refusal says what was refused and is logged with who tried, so an admin can see attempts
to reach beyond one's queues. The role itself is checked by the bus before a handler runs.
"""

import logging

from bridge.chats import ChatRepository
from bridge.commands.arguments import find_agent
from bridge.commands.registry import CommandError
from bridge.config.agents import AgentConfig
from bridge.config.root import BridgeConfig
from bridge.domain.chat import Chat

log = logging.getLogger(__name__)


def refused(caller: AgentConfig, what: str, text: str) -> CommandError:
    log.warning("supervision refused: %s (%s) may not act on %s", caller.id, caller.role, what)
    return CommandError(text)


class SupervisorScope:
    def __init__(self, config: BridgeConfig, chats: ChatRepository) -> None:
        self._config = config
        self._chats = chats

    def supervised(self, caller: AgentConfig) -> list[str]:
        """The caller's queues, in config order."""
        limit = set(caller.supervises)
        return [q.name for q in self._config.queues if not limit or q.name in limit]

    def display(self, queue: str) -> str:
        return self._config.queue(queue).display_name

    def known_queue(self, caller: AgentConfig, name: str) -> str:
        wanted = name.lower()
        if not self._config.has_queue(wanted):
            names = ", ".join(self.supervised(caller)) or "none"
            raise CommandError(f"There is no queue `{wanted}`. Your queues: {names}.")
        return wanted

    def queue_in_scope(self, caller: AgentConfig, name: str) -> str:
        queue = self.known_queue(caller, name)
        if queue not in self.supervised(caller):
            raise refused(caller, f"queue {queue}", f"You don't supervise {self.display(queue)}; "
                                                    f"your queues: {', '.join(self.supervised(caller))}.")
        return queue

    def queues_of(self, caller: AgentConfig, name: str | None) -> list[str]:
        """One named queue (checked), or every queue the caller supervises."""
        return [self.queue_in_scope(caller, name)] if name else self.supervised(caller)

    async def chat_in_scope(self, caller: AgentConfig, id_or_prefix: str) -> Chat:
        chat = await self._chats.find(id_or_prefix)
        if chat is None:
            raise CommandError(f"No chat `{id_or_prefix}`. `csr chats` lists the open ones.")
        if chat.queue not in self.supervised(caller):
            raise refused(caller, f"chat {chat.id} in {chat.queue}",
                          f"That chat is in {self.display(chat.queue)}, which you don't supervise.")
        return chat

    def agent_named(self, target: str) -> AgentConfig:
        agent = find_agent(self._config, target)
        if agent is None:
            raise CommandError(f"`{target}` is not on the roster.")
        return agent

    def agent_in_scope(self, caller: AgentConfig, agent: AgentConfig) -> AgentConfig:
        if caller.supervises and not set(agent.queues) & set(self.supervised(caller)):
            raise refused(caller, f"agent {agent.id}", f"{agent.display_name} works none of the queues you supervise.")
        return agent
