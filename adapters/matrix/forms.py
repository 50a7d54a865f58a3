"""Case forms in Matrix, one question at a time in the chat's thread (Matrix has no forms for bots).

A Form reply shows its first question as a notice in the thread it was asked in and remembers, for
that CSR and thread, the form's answer command. While the core says the form is in progress, the
CSR's plain messages in that thread are answers (run as that command, never sent to the customer),
and command replies there stay in the thread so the questions and results read in order.
"""

import dataclasses
from collections.abc import Awaitable, Callable

from adapters.matrix.relations import strip_reply_fallback
from bridge.commands.replies import FileReply, Form, Reply, Text
from bridge.config.agents import AgentConfig
from bridge.ports import AdapterStore
from bridge.redis_text import text_or_none

ROUTE_TTL = 24 * 3600
ANSWER_TYPES = ("m.text", "m.emote")


class CaseForms:
    def __init__(self, store: AdapterStore, note_prefix: str,
                 form_in_progress: Callable[[str, str], Awaitable[bool]]) -> None:
        """`form_in_progress(agent_id, chat_id)`: the cases feature's word on whether a form is open."""
        self._redis = store.redis
        self._keys = store.keys
        self._note_prefix = note_prefix
        self._form_in_progress = form_in_progress

    async def shape(self, reply: Reply, sender: str, thread: str) -> Reply:
        """A Form becomes its prompt; replies in a thread with a form open are shown there, not in a DM."""
        key = self._keys.matrix_form(sender, thread)
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
        key = self._keys.matrix_form(sender, thread)
        route = text_or_none(await self._redis.get(key))
        if not route:
            return None
        if not await self._form_in_progress(agent.id, chat_id):
            await self._redis.delete(key)
            return None
        return f"{route} {body}"
