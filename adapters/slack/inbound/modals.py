"""The chat header's buttons and the message shortcut: open a modal, then run the command it builds.

A modal needs the request's trigger_id within 3 seconds, so it opens right after the ack; the chat,
channel and thread travel in the modal's private_metadata to the submission.
"""

from typing import Any

from slack_sdk.models.views import View

from adapters.slack.chat_actions import ModalContext, command, link_errors, modal, runs_at_once, submitted_values
from adapters.slack.mrkdwn import escape
from adapters.slack.parts import SlackParts
from adapters.slack.render.blocks import actions, button, sections
from adapters.slack.render.cards import CHAT_ACTION, CHAT_ACTIONS
from adapters.slack.responder import ReplyTo
from bridge.domain.chat import Chat

SHORTCUT = "csr_chat_actions"
MENU_CALLBACK = "chat_action_menu"


class ModalInbound:
    def __init__(self, parts: SlackParts) -> None:
        self._parts = parts

    async def on_chat_button(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        name = action["action_id"].split(":", 1)[1]
        user = body["user"]["id"]
        view = body.get("view") or {}
        if view:
            where = ModalContext.load(view.get("private_metadata", ""))
            channel, thread = where.channel, where.thread
        else:
            channel = (body.get("channel") or {}).get("id", "")
            message = body.get("message") or {}
            thread = message.get("thread_ts") or message.get("ts", "")
        to = ReplyTo(user=user, channel=channel, thread=thread)
        chat = await self._chat_for(action.get("value", ""), to)
        spec = self._parts.specs.get(name)
        if chat is None or spec is None:
            return
        if runs_at_once(spec):
            await self._parts.run(f"csr {spec.name}", to, chat.id)
            return
        ctx = ModalContext(action=name, chat_id=chat.id, channel=channel, thread=thread)
        built = modal(ctx, spec, chat, self._parts.core.config)
        client = self._parts.calls.client
        if view:
            await self._parts.calls.call("views.push", lambda: client.views_push(trigger_id=body["trigger_id"],
                                                                                 view=built))
        else:
            await self._parts.calls.call("views.open", lambda: client.views_open(trigger_id=body["trigger_id"],
                                                                                 view=built))

    async def on_shortcut(self, ack: Any, body: dict[str, Any]) -> None:
        """Message shortcut on any message of a chat's thread: the header's buttons in a modal."""
        await ack()
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id", "")
        root = message.get("thread_ts") or message.get("ts", "")
        to = ReplyTo(user=body["user"]["id"], channel=channel, thread=root)
        chat_id = await self._parts.core.threads.chat_of("slack", channel, root) if root and channel else None
        chat = await self._chat_for(chat_id or "", to)
        if chat is None:
            return
        buttons = [button(label, f"{CHAT_ACTION}:{name}", chat.id) for name, label in CHAT_ACTIONS]
        menu = View(type="modal", callback_id=MENU_CALLBACK, title="Chat actions", close="Close",
                    private_metadata=ModalContext(action="menu", chat_id=chat.id, channel=channel, thread=root).dump(),
                    blocks=[*sections(f"Chat with *{escape(chat.customer.name)}* (`{chat.id}`)"), *actions(buttons)])
        client = self._parts.calls.client
        await self._parts.calls.call("views.open", lambda: client.views_open(trigger_id=body["trigger_id"],
                                                                             view=menu.to_dict()))

    async def on_submit(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        ctx = ModalContext.load(view.get("private_metadata", ""))
        values = submitted_values(view.get("state") or {})
        spec = self._parts.specs.get(ctx.action)
        if spec is None:
            await ack()
            return
        if errors := link_errors(spec, values):
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        to = ReplyTo(user=body["user"]["id"], channel=ctx.channel, thread=ctx.thread)
        await self._parts.run(command(spec, values), to, ctx.chat_id)

    async def _chat_for(self, chat_id: str, to: ReplyTo) -> Chat | None:
        """The chat a button names, if the presser is on the roster; else they are told why not."""
        if self._parts.core.agents.by_platform_id("slack", to.user) is None:
            await self._parts.responder.text("You are not on this team's roster, so CSR Bridge can't take "
                                             "actions from you.", to, error=True)
            return None
        chat = await self._parts.core.chats.get(chat_id) if chat_id else None
        if chat is None:
            await self._parts.responder.text("This message is not part of a chat thread.", to, error=True)
        return chat
