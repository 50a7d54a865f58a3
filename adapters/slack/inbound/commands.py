"""`/csr ...`, the buttons that carry a command, the offer card's Accept/Decline, and reactions on it.

All of them become one `csr ...` command text run by the core as the Slack user, so Accept on a card,
a ✅ reaction and `/csr accept ID` are the same code path. The request's trigger_id travels with the
reply target, so a reply that is a form can open its modal straight away.
"""

import time
from typing import Any

from adapters.slack.parts import SlackParts
from adapters.slack.render.cards import OFFER_ACCEPT
from adapters.slack.responder import ReplyTo
from bridge.commands.replies import Text

ACCEPT_REACTIONS = {"white_check_mark", "heavy_check_mark", "+1", "thumbsup", "ballot_box_with_check"}
DECLINE_REACTIONS = {"x", "negative_squared_cross_mark", "-1", "thumbsdown", "no_entry_sign"}


class CommandInbound:
    def __init__(self, parts: SlackParts) -> None:
        self._parts = parts

    async def on_slash(self, ack: Any, body: dict[str, Any]) -> None:
        await ack()
        to = ReplyTo(user=body["user_id"], channel=body.get("channel_id", ""),
                     response_url=body.get("response_url", ""), trigger_id=body.get("trigger_id", ""),
                     received=time.monotonic())
        await self._parts.run(f"csr {body.get('text', '')}", to)

    async def on_run_button(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        """A button from a rendered reply (or the App Home) runs the command it carries."""
        await ack()
        user = body["user"]["id"]
        if body.get("view", {}).get("type") == "home":
            reply = await self._parts.core.commands.run(action.get("value", ""), self._parts.context(user))
            if isinstance(reply, Text) and reply.error:
                await self._parts.responder.send(reply, ReplyTo(user=user))
            await self._parts.home.publish(user)
            return
        to, chat_id = await self._where(body)
        await self._parts.run(action.get("value", ""), to, chat_id)

    async def on_offer_button(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        verb = "accept" if action["action_id"] == OFFER_ACCEPT else "decline"
        to, _ = await self._where(body)
        await self._parts.run(f"csr {verb} {action.get('value', '')}", to)

    async def on_reaction(self, event: dict[str, Any]) -> None:
        item = event.get("item") or {}
        reaction = str(event.get("reaction", "")).split("::")[0]
        if item.get("type") != "message" or reaction not in ACCEPT_REACTIONS | DECLINE_REACTIONS:
            return
        offer_id = await self._parts.cards.offer_on(item.get("channel", ""), item.get("ts", ""))
        if offer_id is None:
            return
        verb = "accept" if reaction in ACCEPT_REACTIONS else "decline"
        await self._parts.run(f"csr {verb} {offer_id}", ReplyTo(user=event["user"], channel=item["channel"]))

    async def _where(self, body: dict[str, Any]) -> tuple[ReplyTo, str]:
        """Reply target of a message button, and the chat when the message sits in a chat's thread."""
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id", "")
        root = message.get("thread_ts") or message.get("ts", "")
        chat_id = await self._parts.core.threads.chat_of("slack", channel, root) if root and channel else None
        to = ReplyTo(user=body["user"]["id"], channel=channel, thread=root if chat_id else "",
                     response_url=body.get("response_url", ""), trigger_id=body.get("trigger_id", ""),
                     received=time.monotonic())
        return to, chat_id or ""
