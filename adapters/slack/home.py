"""The App Home tab: a CSR's presence (with buttons to change it), their queues and open chats; for
supervisors also the live queue table, refreshed on the core's dashboard signal.

Presence comes from the core's `csr status` reply with its buttons (`csr available|away|offline`),
so the tab shows what the core says and changes nothing behind its back. Published when opened and
again whenever the agent changes (the change feed's `agent:ID`).
"""

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.views import View

from adapters.slack.mrkdwn import escape
from adapters.slack.render.blocks import Block, context, divider, header, sections
from adapters.slack.render.cards import duration
from adapters.slack.render.replies import render_reply
from adapters.slack.webapi import SlackCalls
from bridge.clock import now
from bridge.commands.context import CommandContext
from bridge.commands.replies import Action, Choices
from bridge.config.agents import AgentConfig
from bridge.domain.agent import Role
from bridge.ports import Core

log = logging.getLogger(__name__)
HOME_BLOCKS = 100
PRESENCE = Choices("Set your presence:", (Action("Available", "csr available", "primary"),
                                          Action("Away", "csr away"), Action("Offline", "csr offline")))


class HomeTab:
    def __init__(self, core: Core, calls: SlackCalls, agent_chat_ids: Callable[[str], Awaitable[list[str]]]) -> None:
        """`agent_chat_ids`: routing's list of an agent's open chats."""
        self._core = core
        self._agent_chat_ids = agent_chat_ids
        self._calls = calls
        self.workspace_url = ""
        """From auth.test at start, for links to chat threads."""

    async def publish(self, user_id: str) -> None:
        view = await self.view(user_id)
        await self._calls.call("views.publish", lambda: self._calls.client.views_publish(user_id=user_id, view=view))

    async def on_agent_change(self, agent_id: str) -> None:
        agent = self._core.agents.by_id(agent_id)
        if agent is not None and agent.slack_user_id:
            await self.publish(agent.slack_user_id)

    async def view(self, user_id: str) -> dict[str, Any]:
        agent = self._core.agents.by_platform_id("slack", user_id)
        blocks = [header("CSR Bridge")]
        if agent is None:
            blocks += sections("You are not on this team's CSR roster. Ask an admin to add your Slack user id "
                               f"(`{escape(user_id)}`) to the bridge's config.")
        else:
            blocks += await self._agent_blocks(agent, user_id)
        if len(blocks) > HOME_BLOCKS:
            blocks = [*blocks[:HOME_BLOCKS - 1], context("More than fits here; `/csr` commands show the rest.")]
        return View(type="home", blocks=blocks).to_dict()

    async def _agent_blocks(self, agent: AgentConfig, user_id: str) -> list[Block]:
        status = await self._core.commands.run("csr status", CommandContext("slack", user_id, agent))
        blocks = render_reply(status)[0].blocks
        if not isinstance(status, Choices):
            blocks += render_reply(PRESENCE)[0].blocks
        blocks.append(divider())
        queues = self._core.config.queue_display_names(agent.queues)
        blocks += sections("*Your queues*\n" + (escape(", ".join(queues)) or "None yet."))
        blocks += sections("*Your open chats*")
        lines = await self._open_chats(agent)
        blocks += sections("\n".join(lines)) if lines else [context("No open chats.")]
        if Role(agent.role).at_least(Role.SUPERVISOR):
            blocks += await self._dashboard(agent, user_id)
        return blocks

    async def _dashboard(self, agent: AgentConfig, user_id: str) -> list[Block]:
        """Supervisors see the core's live queue table (`csr queues`), as the command shows it."""
        table = await self._core.commands.run("csr queues", CommandContext("slack", user_id, agent))
        at = datetime.now(ZoneInfo(self._core.config.reports.timezone)).strftime("%H:%M:%S")
        return [divider(), *render_reply(table)[0].blocks, context(f"Updated {at}; refreshes itself as queues change.")]

    async def on_dashboard(self, seq: str) -> None:
        """The core's dashboard signal (on change, at most every few seconds): the process that claims this
        refresh publishes every supervisor's tab again."""
        store = self._core.store
        if not await store.redis.set(store.keys.dashboard_claim("slack", seq), "1", nx=True, ex=300):
            return
        for agent in self._core.config.agents:
            if agent.slack_user_id and Role(agent.role).at_least(Role.SUPERVISOR):
                try:
                    await self.publish(agent.slack_user_id)
                except Exception:  # one tab failing must not keep the others stale
                    log.warning("App Home of %s not refreshed", agent.id, exc_info=True)

    async def _open_chats(self, agent: AgentConfig) -> list[str]:
        lines = []
        for chat_id in await self._agent_chat_ids(agent.id):
            chat = await self._core.chats.get(chat_id)
            if chat is None:
                continue
            name = escape(chat.customer.name)
            thread = await self._core.threads.get(chat)
            if thread and thread.platform == "slack" and self.workspace_url:
                link = f"{self.workspace_url}archives/{thread.conversation}/p{thread.thread_id.replace('.', '')}"
                name = f"<{link}|{name}>"
            since = duration(now() - (chat.accepted_at or chat.created_at))
            lines.append(f"• {name} · {escape(chat.topic or chat.queue)} · {since} · `{chat.id}`")
        return lines
