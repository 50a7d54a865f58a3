"""The routing engine's entry point: every change is one Lua script (routing/lua), run atomically.

Python's part is small on purpose: validate what the caller may do, pass ids and settings to a
script, then arm the timers the script reports as RQ jobs. Nothing here is kept in process memory
that another `serve` or `worker` process would need.
"""

import json
from collections.abc import Callable

from redis.asyncio import Redis
from redis.typing import EncodableT

from bridge.chats import ChatRepository
from bridge.clock import now
from bridge.config.agents import AgentConfig
from bridge.config.root import BridgeConfig
from bridge.domain.agent import Presence, Role
from bridge.domain.chat import ChatState
from bridge.hours import status_of
from bridge.jobs import Jobs
from bridge.keys import Keys
from bridge.metrics import Metrics
from routing.metrics import observe
from routing.positions import PositionAnnouncer
from routing.priority import attribute_queue, effective_priority
from routing.scripts import RoutingScripts, ScriptResult
from routing.settings import allowed_queues, write_settings
from routing.state import RoutingState
from routing.timers import TimerScheduler


class Router:
    def __init__(self, redis: Redis, keys: Keys, config: BridgeConfig, jobs: Jobs, metrics: Metrics | None = None,
                 clock: Callable[[], float] = now) -> None:
        self.redis = redis
        self.keys = keys
        self._config = config
        self._metrics = metrics
        self._scripts = RoutingScripts(redis, keys.prefix)
        self._chats = ChatRepository(redis, keys)
        self.timers = TimerScheduler(jobs, config.redis.key_prefix)
        self.state = RoutingState(redis, keys)
        self.clock = clock
        self.positions = PositionAnnouncer(redis, keys, self._run)
        self._settings_written = False
        self._synced: set[str] = set()

    async def _run(self, script: str, *args: EncodableT) -> ScriptResult:
        if not self._settings_written:
            await write_settings(self.redis, self.keys, self._config)
            self._settings_written = True
        result = await self._scripts.run(script, self.clock(), *args)
        if result.status == "no_settings":  # Redis lost its data (a restart without persistence)
            await write_settings(self.redis, self.keys, self._config)
            result = await self._scripts.run(script, self.clock(), *args)
        await self.timers.schedule(result.timers)
        if self._metrics is not None:
            await observe(self.redis, self.keys, self._metrics, result)
        return result

    async def _agent_run(self, agent: AgentConfig, script: str, *args: EncodableT) -> ScriptResult:
        """Runs a script about a CSR, writing their roster entry first when this process has not yet
        (or when Redis lost it)."""
        if agent.id not in self._synced:
            await self.sync_agent(agent)
        result = await self._run(script, agent.id, *args)
        if result.status == "unknown":
            await self.sync_agent(agent)
            result = await self._run(script, agent.id, *args)
        return result

    # chats

    async def opened(self, chat_id: str) -> None:
        """A chat just started: its customer-idle timer runs from now, so even a chat nobody escalates ends."""
        await self._run("arm_idle", chat_id)

    async def arm_idle_timers(self, page: int = 200) -> int:
        """Arms the idle timer of every open chat that lacks one (chats from before they were armed at the
        start, or one whose start crashed between storing the chat and arming it); returns how many."""
        armed = 0
        batch: list[str] = []
        async for chat_id in self.redis.sscan_iter(self.keys.open_chats, count=page):
            batch.append(chat_id)
            if len(batch) >= page:
                armed += int((await self._run("arm_idle", *batch)).get("armed", 0))
                batch = []
        if batch:
            armed += int((await self._run("arm_idle", *batch)).get("armed", 0))
        return armed

    async def escalate(self, chat_id: str) -> None:
        await self.route(chat_id)

    async def route(self, chat_id: str) -> ScriptResult:
        """Into the line of the chat's queue, or of the queue a rule on the customer's verified attributes names."""
        chat = await self._chats.get(chat_id)
        if chat is None:
            return ScriptResult("missing", {}, [], [])
        queue = chat.queue if self._config.has_queue(chat.queue) else self._config.queues[0].name
        if ruled := attribute_queue(chat, self._config.routing.priorities):
            queue = ruled
        hours = status_of(self._config.hours_of(queue), self.clock())
        opens_at = "" if hours.opens_at is None else repr(hours.opens_at)
        return await self._run("escalate", chat_id, queue, effective_priority(chat, self._config.routing.priorities),
                               "open" if hours.open else "closed", opens_at)

    async def close(self, chat_id: str, reason: str, by: str) -> None:
        await self.close_chat(chat_id, reason, by)

    async def close_chat(self, chat_id: str, reason: str, by: str, outcome: str = "") -> ScriptResult:
        """`outcome`: one of the configured outcomes (the caller checked it), or "" for none."""
        return await self._run("close", chat_id, reason, by, outcome)

    async def agent_chat_ids(self, agent_id: str) -> list[str]:
        return await self.state.agent_chat_ids(agent_id)

    # CSRs

    async def sync_agent(self, agent: AgentConfig) -> None:
        """Writes the roster entry (name, capacity, allowed queues) before the CSR's first routing change."""
        await self._run("agent_sync", agent.id, agent.display_name, self._config.capacity_of(agent),
                        json.dumps(allowed_queues(self._config, agent)))
        self._synced.add(agent.id)

    async def sync_roster(self) -> None:
        """At start: apply roster changes; CSRs no longer on it go offline and leave every queue. CSRs no enabled
        platform reaches any more (signed in on a platform since disabled) go offline too: nobody counts as
        someone who could come while no offer can reach them."""
        roster = {a.id for a in self._config.agents}
        for agent in self._config.agents:
            await self.sync_agent(agent)
            if not self._config.platforms_of(agent):
                await self._run("presence", agent.id, Presence.OFFLINE)
        for gone in set(await self.redis.smembers(self.keys.agents)) - roster:
            await self._run("agent_sync", gone, gone, 1, "[]")
            await self._run("presence", gone, Presence.OFFLINE)

    async def set_presence(self, agent: AgentConfig, presence: Presence) -> ScriptResult:
        return await self._agent_run(agent, "presence", presence)

    async def join(self, agent: AgentConfig, queue: str) -> ScriptResult:
        return await self._agent_run(agent, "membership", queue, "join")

    async def leave(self, agent: AgentConfig, queue: str) -> ScriptResult:
        return await self._agent_run(agent, "membership", queue, "leave")

    # offers

    async def accept(self, offer_id: str, agent: AgentConfig, platform: str) -> ScriptResult:
        return await self._run("accept", offer_id, agent.id, platform, agent.display_name)

    async def decline(self, offer_id: str, agent: AgentConfig) -> ScriptResult:
        return await self._run("decline", offer_id, agent.id)

    async def transfer_to_agent(self, chat_id: str, owner_id: str, target: AgentConfig, note: str,
                                by: str) -> ScriptResult:
        if target.id not in self._synced:
            await self.sync_agent(target)
        return await self._run("transfer_agent", chat_id, owner_id, target.id, note, by)

    async def transfer_to_queue(self, chat_id: str, owner_id: str, queue: str, note: str, by: str) -> ScriptResult:
        return await self._run("transfer_queue", chat_id, owner_id, queue, note, by)

    # supervisors

    async def reassign_to_agent(self, chat_id: str, target: AgentConfig, platform: str,
                                by: AgentConfig) -> ScriptResult:
        """Gives a waiting, offered or active chat to `target` at once (no offer)."""
        if target.id not in self._synced:
            await self.sync_agent(target)
        return await self._run("reassign_agent", chat_id, target.id, target.display_name, platform, by.id,
                               by.display_name)

    async def move_to_queue(self, chat_id: str, queue: str, by: str) -> ScriptResult:
        """Puts a chat in another queue's line: an active one through a queue transfer, a waiting one directly."""
        chat = await self._chats.get(chat_id)
        if chat is not None and chat.state == ChatState.ACTIVE:
            return await self.transfer_to_queue(chat_id, chat.agent_id, queue, "", by)
        return await self._run("requeue", chat_id, queue, by)

    # timers: RQ jobs and the sweep call these; each does nothing once the chat or offer moved on

    async def expire(self, offer_id: str) -> ScriptResult:
        return await self._run("expire", offer_id)

    async def overflow(self, chat_id: str, seq: str) -> ScriptResult:
        return await self._run("overflow", chat_id, seq)

    async def idle_check(self, chat_id: str) -> ScriptResult:
        return await self._run("idle", chat_id)

    async def claim(self, chat_id: str, agent: AgentConfig) -> ScriptResult:
        """A CSR of the queue takes a left message; the first claim wins."""
        return await self._agent_run(agent, "claim", chat_id, agent.display_name)

    async def unclaimed_alert(self, chat_id: str) -> ScriptResult:
        """A left message waited its queue's target unclaimed: its supervisors hear of it."""
        chat = await self._chats.get(chat_id)
        queue = chat.queue if chat else ""
        supervisors = [a.id for a in self._config.agents
                       if Role(a.role).at_least(Role.SUPERVISOR) and (not a.supervises or queue in a.supervises)]
        return await self._run("unclaimed", chat_id, json.dumps(supervisors))

    async def fire(self, member: str) -> ScriptResult:
        """Runs one timer by its member name (offer:ID, wait:CHAT:SEQ, idle:CHAT, unclaimed:CHAT)."""
        kind, _, rest = member.partition(":")
        if kind == "offer":
            return await self.expire(rest)
        if kind == "wait":
            chat_id, _, seq = rest.rpartition(":")
            return await self.overflow(chat_id, seq)
        if kind == "idle":
            return await self.idle_check(rest)
        if kind == "unclaimed":
            return await self.unclaimed_alert(rest)
        raise ValueError(f"unknown routing timer {member!r}")

    async def sweep(self, grace: float = 5.0) -> int:
        """Fires timers overdue by more than `grace` (their RQ job was lost); returns how many ran."""
        fired = 0
        for member in await self.state.due_timers(self.clock() - grace):
            try:
                result = await self.fire(member)
            except ValueError:
                await self.redis.zrem(self.keys.routing_timers, member)
                continue
            fired += result.status != "early"
        return fired
