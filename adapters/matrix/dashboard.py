"""The supervisors' room shows the live queue table (`csr queues`) in one status message, edited in place
(m.replace) on the core's dashboard signal.

The message is edited only when the table changed, so a busy day doesn't spend the bot's message budget
on identical edits; its event id and the table's digest are kept in Redis, so a restart edits the same
message. A lock makes one process post the first message.
"""

import hashlib
import json
from datetime import datetime
from zoneinfo import ZoneInfo

from adapters.matrix.lanes import Wake
from adapters.matrix.outbox import Outbox, OutboxEntry
from adapters.matrix.poster import Poster, txn_id
from adapters.matrix.relations import replacing
from adapters.matrix.render import notice
from adapters.matrix.replies import render_reply
from adapters.matrix.session import Session
from bridge.commands.context import CommandContext
from bridge.config.agents import AgentConfig
from bridge.ports import Core

BRIDGE = AgentConfig(id="csr-bridge", display_name="CSR Bridge", role="admin")
"""The bridge itself asks for the table, for every queue, like an admin would."""


class StatusMessage:
    def __init__(self, core: Core, session: Session, poster: Poster, outbox: Outbox, wake: Wake) -> None:
        self._core = core
        self._redis = core.store.redis
        self._session = session
        self._poster = poster
        self._outbox = outbox
        self._wake = wake

    async def on_dashboard(self, seq: str) -> None:
        room = self._session.supervisors_room
        keys = self._core.store.keys
        if not room or not await self._redis.set(keys.dashboard_claim("matrix", seq), "1", nx=True, ex=300):
            return
        asker = CommandContext("matrix", self._core.config.matrix.user_id, BRIDGE)
        table = await self._core.commands.run("csr queues", asker)
        body, html = render_reply(table, self._core.config.matrix.command_prefix)[0]
        digest = hashlib.sha256(body.encode()).hexdigest()
        at = datetime.now(ZoneInfo(self._core.config.reports.timezone)).strftime("%H:%M")
        content = notice(f"{body}\nChanged at {at}", f"{html}<br><i>Changed at {at}</i>")
        field = f"dashboard:{room}"
        async with self._redis.lock(keys.lock(f"matrix-dashboard:{room}"), timeout=60, blocking_timeout=60):
            shown = json.loads(await self._redis.hget(keys.adapter_state("matrix"), field) or "{}")
            if shown.get("digest") == digest:
                return
            if not shown.get("event"):
                event = await self._poster.send(room, content, txn_id(f"dashboard.{room}.{seq}"), attempts=3)
            else:
                event = shown["event"]
                await self._outbox.put(room, OutboxEntry(key=f"dashboard.{room}.{seq}",
                                                         content=replacing(event, content)))
                self._wake(room, "")
            await self._redis.hset(keys.adapter_state("matrix"), field, json.dumps({"event": event, "digest": digest}))
