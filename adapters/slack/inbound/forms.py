"""A stored form's "Fill in" button opens its modal; the modal's submission runs the form's submit command.

The submission is acked with the command's outcome: a field the core names as wrong comes back as
`response_action: errors` under that field (the modal stays open with what was typed). Slack allows
3 seconds for that answer, so a command still running after ACK_BUDGET is acked plainly and its reply
comes as a message instead.
"""

import asyncio
import time
from typing import Any

from adapters.slack.forms import StoredForm
from adapters.slack.parts import SlackParts
from adapters.slack.render.forms import field_errors, submit_command, submitted
from adapters.slack.responder import ReplyTo
from bridge.commands.replies import Reply, Text

ACK_BUDGET = 2.0
EXPIRED = "This form has expired; run `csr case TYPE` again to open a new one."
NOT_YOURS = "This form was opened by another CSR."


class FormInbound:
    def __init__(self, parts: SlackParts) -> None:
        self._parts = parts

    async def on_fill_button(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        received, user = time.monotonic(), body["user"]["id"]
        form_id = str(action.get("value", ""))
        stored = await self._parts.forms.load(form_id)
        to = ReplyTo(user=user, channel=(body.get("channel") or {}).get("id", ""),
                     response_url=body.get("response_url", ""))
        if stored is None or stored.user != user:
            await self._parts.responder.text(EXPIRED if stored is None else NOT_YOURS, to, error=True)
            return
        if not await self._parts.forms.open_modal(stored.as_form(), form_id, body.get("trigger_id", ""), received):
            await self._parts.responder.text("Slack would not open the form just now; press the button again.",
                                             to, error=True)

    async def on_submit(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        user, form_id = body["user"]["id"], str(view.get("private_metadata", ""))
        stored = await self._parts.forms.load(form_id)
        if stored is None or stored.user != user:
            first = next((b.get("block_id", "") for b in view.get("blocks") or [] if b.get("type") == "input"), "")
            await ack(response_action="errors", errors={first: EXPIRED if stored is None else NOT_YOURS})
            return
        form = stored.as_form()
        command = submit_command(form, submitted(form, view.get("state") or {}))
        running = asyncio.ensure_future(self._parts.core.commands.run(command, self._parts.context(user)))
        done, _ = await asyncio.wait({running}, timeout=ACK_BUDGET)
        if done:
            errors = _errors(running.result(), stored)
            if errors:
                await ack(response_action="errors", errors=errors)
                return
        await ack()
        reply = await running
        if not (isinstance(reply, Text) and reply.error):
            await self._parts.forms.drop(form_id)
        await self._parts.responder.send(reply, ReplyTo(user=user, channel=stored.channel, thread=stored.thread))


def _errors(reply: Reply, stored: StoredForm) -> dict[str, str]:
    return field_errors(stored.as_form(), reply.text) if isinstance(reply, Text) and reply.error else {}
