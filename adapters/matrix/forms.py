"""Case forms in Matrix, one question at a time in the chat's thread (Matrix has no forms for bots).

A Form reply shows its first question as a notice in the thread it was asked in and remembers, for
that CSR and thread, the form's answer command. While the core says the form is in progress, the
CSR's plain messages in that thread are answers (run as that command, never sent to the customer),
and command replies there stay in the thread so the questions and results read in order.
"""

import dataclasses

from redis.asyncio import Redis

from adapters.matrix.relations import strip_reply_fallback
from bridge.app import BridgeApp
from bridge.commands.replies import FileReply, Form, Reply, Text
from bridge.config.agents import AgentConfig
from bridge.redis_text import text_or_none

ROUTE_TTL = 24 * 3600
ANSWER_TYPES = ("m.text", "m.emote")


class CaseForms:
    def __init__(self, app: BridgeApp, redis: Redis) -> None:
        self._app = app
        self._redis = redis
        self._note_prefix = app.config.matrix.note_prefix

    async def shape(self, reply: Reply, sender: str, thread: str) -> Reply:
        """A Form becomes its prompt; replies in a thread with a form open are shown there, not in a DM."""
        key = self._app.keys.matrix_form(sender, thread)
        if isinstance(reply, Form):
            if thread:
                await self._redis.set(key, reply.answer_command, ex=ROUTE_TTL)
            return Text(reply.prompt, public=bool(thread))
        if thread and not reply.public and not isinstance(reply, FileReply) and await self._redis.exists(key):
            return dataclasses.replace(reply, public=True)
        return reply

    async def answer_command(self, sender: str, agent: AgentConfig, chat_id: str, thread: str,
                             content: dict[str, object]) -> str | None:
        """The command a CSR's thread message becomes while their form there is open; None otherwise."""
        body = strip_reply_fallback(str(content.get("body") or "")).strip()
        if content.get("msgtype") not in ANSWER_TYPES or not body or body.startswith(self._note_prefix):
            return None
        key = self._app.keys.matrix_form(sender, thread)
        route = text_or_none(await self._redis.get(key))
        if not route:
            return None
        if not await self._app.cases.form_in_progress(agent.id, chat_id):
            await self._redis.delete(key)
            return None
        return f"{route} {body}"
