"""Replies in a chat's thread: a roster CSR's words (and files) go to the customer, edits and deletions follow.

A reply starting with the note prefix stays internal; people not on the roster, and CSRs who don't
own the chat, get an ephemeral hint instead of reaching the customer. Each reply's ts is its origin
event id, so a redelivered event is stored once and later edits find the message they change.
"""

from collections.abc import Awaitable
from typing import Any

from adapters.slack.files import FileRefused
from adapters.slack.mrkdwn import to_plain
from adapters.slack.parts import SlackParts
from adapters.slack.responder import ReplyTo
from bridge.config.agents import AgentConfig
from bridge.domain.events import Attachment, EventKind, Origin
from bridge.service import ChatClosed, NotYours, Unclaimed, UnknownChat

NEW_MESSAGE_SUBTYPES = {None, "file_share", "thread_broadcast"}
NOT_ROSTER = "Only CSRs on this team's roster can answer customers; your reply was not sent to the customer."


class MessageInbound:
    def __init__(self, parts: SlackParts) -> None:
        self._parts = parts
        self._prefix = parts.core.config.slack.note_prefix

    async def on_message(self, event: dict[str, Any]) -> None:
        subtype = event.get("subtype")
        if subtype == "message_changed":
            await self._edited(event)
        elif subtype == "message_deleted":
            await self._deleted(event)
        elif subtype in NEW_MESSAGE_SUBTYPES and not event.get("bot_id"):
            await self._reply(event)

    async def _reply(self, event: dict[str, Any]) -> None:
        root, ts, channel, user = event.get("thread_ts"), event["ts"], event["channel"], event.get("user", "")
        if not root or root == ts or not (chat_id := await self._parts.core.threads.chat_of("slack", channel, root)):
            return
        to = ReplyTo(user=user, channel=channel, thread=root)
        agent = self._parts.core.agents.by_platform_id("slack", user)
        if agent is None:
            await self._parts.responder.text(NOT_ROSTER, to)
            return
        origin = Origin(platform="slack", conversation=channel, thread=root, event_id=ts)
        text = to_plain(event.get("text", "")).strip()
        service = self._parts.core.service
        try:
            if text.startswith(self._prefix):
                await service.note(chat_id, agent, text[len(self._prefix):].strip(), origin)
                return
            await service.open_chat_for(chat_id, agent)
            attachments = await self._files(chat_id, event.get("files") or [], to)
            if text or attachments:
                said = await service.agent_message(chat_id, agent, text, origin, attachments=attachments)
                await self._parts.posts.remember(chat_id, said.id, channel, ts)
        except Unclaimed:
            await self._parts.responder.text("Nobody has claimed this left message yet: press *Claim* on its header "
                                             "(or `/csr claim`) first; your reply was not sent to the customer.", to)
        except NotYours:
            await self._parts.responder.text("This chat belongs to another CSR; your reply was not sent to the "
                                             "customer.", to)
        except (ChatClosed, UnknownChat):
            await self._parts.responder.text("This chat has ended; your reply was not sent.", to)

    async def _edited(self, event: dict[str, Any]) -> None:
        message, before = event.get("message") or {}, event.get("previous_message") or {}
        root, channel = message.get("thread_ts"), event["channel"]
        if message.get("bot_id") or not root or root == message.get("ts") or message.get("text") == before.get("text"):
            return
        found = await self._target(channel, root, message.get("user", ""), message["ts"])
        if found is None:
            return
        chat_id, agent, target_kind = found
        text = to_plain(message.get("text", "")).strip()
        to = ReplyTo(user=message.get("user", ""), channel=channel, thread=root)
        if target_kind is not EventKind.MESSAGE or text.startswith(self._prefix):
            await self._parts.responder.text("Edits of notes, and edits that turn a sent message into a note, "
                                             "are not passed to the customer.", to)
            return
        edit_ts = (message.get("edited") or {}).get("ts") or event.get("event_ts", event.get("ts", ""))
        origin = Origin(platform="slack", conversation=channel, thread=root, event_id=f"{message['ts']}:edit:{edit_ts}")
        await self._quietly(self._parts.core.service.edit(chat_id, agent, origin, message["ts"], text), to)

    async def _deleted(self, event: dict[str, Any]) -> None:
        before = event.get("previous_message") or {}
        root, deleted = before.get("thread_ts"), event.get("deleted_ts", "")
        if before.get("bot_id") or not root or root == deleted:
            return
        found = await self._target(event["channel"], root, before.get("user", ""), deleted)
        if found is None or found[2] is not EventKind.MESSAGE:
            return
        chat_id, agent, _ = found
        origin = Origin(platform="slack", conversation=event["channel"], thread=root, event_id=f"{deleted}:deleted")
        to = ReplyTo(user=before.get("user", ""), channel=event["channel"], thread=root)
        await self._quietly(self._parts.core.service.delete(chat_id, agent, origin, deleted), to)

    async def _target(self, channel: str, root: str, user: str, ts: str) -> tuple[str, AgentConfig, EventKind] | None:
        """The chat, the roster agent and the kind of the event a Slack message became, if any."""
        core = self._parts.core
        chat_id = await core.threads.chat_of("slack", channel, root)
        agent = core.agents.by_platform_id("slack", user)
        if chat_id is None or agent is None:
            return None
        event_id = await core.events.find_by_client_id(chat_id, ts)
        stored = await core.events.get(chat_id, event_id) if event_id else None
        return (chat_id, agent, stored.kind) if stored else None

    async def _files(self, chat_id: str, files: list[dict[str, Any]], to: ReplyTo) -> list[Attachment]:
        stored = []
        for file in files:
            try:
                stored.append(await self._parts.files.from_slack(chat_id, file))
            except FileRefused as exc:
                await self._parts.responder.text(f"{exc}.", to)
        return stored

    async def _quietly(self, change: Awaitable[object], to: ReplyTo) -> None:
        try:
            await change
        except NotYours:
            await self._parts.responder.text("That chat is not yours; the change was not sent.", to)
        except (ChatClosed, UnknownChat):
            await self._parts.responder.text("This chat has ended; the change was not sent.", to)
