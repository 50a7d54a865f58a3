"""What a CSR does inside a chat's thread reaches the core: messages, notes, files, edits, deletions, reactions.

A message outside any chat thread is not for the customer and is left alone. Every message taken in
is remembered with its chat, so a later edit (m.replace) or redaction, which carries no thread, still
finds it; notes are remembered as notes, so editing one never reaches the customer. A reaction on a
chat message (the CSR's own, or the bridge's post of one, see adapters.matrix.posts) is remembered too,
so its redaction takes it back.
"""

import json
import logging
from collections.abc import Awaitable, Callable

from adapters.matrix.commands import MatrixCommands
from adapters.matrix.media import Media, MediaRefused, caption_of, incoming_of
from adapters.matrix.relations import strip_reply_fallback
from bridge.config.agents import AgentConfig
from bridge.domain.events import Origin
from bridge.ports import Core
from bridge.service import BadReaction, ChatClosed, NotYours, UnknownChat

log = logging.getLogger(__name__)
EVENT_TTL = 30 * 24 * 3600


class ChatInput:
    def __init__(self, core: Core, media: Media, commands: MatrixCommands) -> None:
        self._core = core
        self._redis = core.store.redis
        self._media = media
        self._commands = commands
        self._note_prefix = core.config.matrix.note_prefix

    async def message(self, room_id: str, root: str, chat_id: str, sender: str, event_id: str,
                      content: dict[str, object]) -> None:
        agent = self._agent(sender, event_id)
        if agent is None:
            return
        if (answer := await self._commands.forms.answer_command(sender, agent, chat_id, root, content)) is not None:
            await self._commands.run(answer, sender=sender, room_id=room_id, event_id=event_id, thread=root,
                                     chat_id=chat_id)
            return
        origin = Origin(platform="matrix", conversation=room_id, thread=root, event_id=event_id)
        body = strip_reply_fallback(str(content.get("body") or ""))
        role, said = "message", ""
        try:
            incoming = incoming_of(content)
            if incoming is not None:
                await self._core.service.open_chat_for(chat_id, agent)
                attachment = await self._media.fetch(chat_id, incoming)
                said = (await self._core.service.agent_message(chat_id, agent, caption_of(content), origin,
                                                              attachments=[attachment])).id
            elif body.startswith(self._note_prefix):
                role = "note"
                await self._core.service.note(chat_id, agent, body[len(self._note_prefix):].strip(), origin)
            elif body.strip():
                said = (await self._core.service.agent_message(chat_id, agent, body, origin)).id
            else:
                return
        except MediaRefused as exc:
            await self._tell(f"Your file was not sent to the customer: {exc}.", sender, room_id, root, event_id)
            return
        except (NotYours, ChatClosed, UnknownChat) as exc:
            await self._tell(_refusal(exc), sender, room_id, root, event_id)
            return
        await self._redis.set(self._core.store.keys.matrix_event(event_id),
                              json.dumps({"role": role, "chat": chat_id, "thread": root, "event": said}), ex=EVENT_TTL)

    async def reaction(self, room_id: str, sender: str, event_id: str, target: str, key: str) -> bool:
        """A CSR's `m.reaction` on a chat message reaches the customer; False when `target` is no chat message."""
        info = await self._taken_in(target)
        if info.get("role") not in ("message", "post") or not info.get("event"):
            return False
        agent = self._agent(sender, event_id)
        if agent is not None and await self._react(room_id, agent, event_id, info, key, removed=False):
            await self._redis.set(self._core.store.keys.matrix_event(event_id),
                                  json.dumps({**info, "role": "reaction", "key": key}), ex=EVENT_TTL)
        return True

    async def _react(self, room_id: str, agent: AgentConfig, event_id: str, info: dict[str, str], key: str,
                     removed: bool) -> bool:
        origin = Origin(platform="matrix", conversation=room_id, thread=info.get("thread", ""), event_id=event_id)
        try:
            await self._core.service.agent_reaction(info["chat"], agent, origin, info["event"], key, removed)
        except (NotYours, ChatClosed, UnknownChat, BadReaction) as exc:
            log.info("Matrix reaction %s by %s not passed on: %s", event_id, agent.id, exc.__class__.__name__)
            return False
        return True

    async def edit(self, room_id: str, sender: str, event_id: str, target: str, new_text: str) -> None:
        text = strip_reply_fallback(new_text)
        await self._change_message(room_id, sender, event_id, target,
                                   lambda chat_id, agent, origin: self._core.service.edit(chat_id, agent, origin,
                                                                                         target, text))

    async def redaction(self, room_id: str, sender: str, event_id: str, target: str) -> None:
        info = await self._taken_in(target)
        if info.get("role") == "reaction":  # a CSR taking their reaction back
            agent = self._agent(sender, event_id)
            if agent is not None:
                await self._react(room_id, agent, event_id, info, info.get("key", ""), removed=True)
            return
        await self._change_message(room_id, sender, event_id, target,
                                   lambda chat_id, agent, origin: self._core.service.delete(chat_id, agent, origin,
                                                                                           target))

    async def _change_message(self, room_id: str, sender: str, event_id: str, target: str,
                              change: Callable[[str, AgentConfig, Origin], Awaitable[object]]) -> None:
        """An edit or redaction of a CSR's message the bridge took into a chat; other events are not the chat's."""
        info = await self._taken_in(target)
        agent = self._agent(sender, event_id)
        if info.get("role") != "message" or agent is None:
            return
        origin = Origin(platform="matrix", conversation=room_id, thread=info["thread"], event_id=event_id)
        try:
            await change(info["chat"], agent, origin)
        except (NotYours, ChatClosed, UnknownChat) as exc:
            await self._tell(_refusal(exc), sender, room_id, info["thread"], event_id)

    async def _taken_in(self, event_id: str) -> dict[str, str]:
        raw = await self._redis.get(self._core.store.keys.matrix_event(event_id))
        return dict(json.loads(raw)) if raw else {}

    def _agent(self, sender: str, event_id: str) -> AgentConfig | None:
        agent = self._core.agents.by_platform_id("matrix", sender)
        if agent is None:
            log.info("ignored %s in a chat thread: %s is not on the roster", event_id, sender)
        return agent

    async def _tell(self, text: str, sender: str, room_id: str, thread: str, key: str) -> None:
        await self._commands.tell(text, sender=sender, room_id=room_id, thread=thread, key=key)


def _refusal(exc: Exception) -> str:
    if isinstance(exc, NotYours):
        return "That chat is not yours, so your message was not sent to the customer."
    if isinstance(exc, ChatClosed):
        return "That chat has ended; the customer will not see your message."
    return "That chat no longer exists; your message was not sent."
