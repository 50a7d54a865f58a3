"""Answers to a CSR: a command's neutral reply rendered and sent where they will see it.

Private replies are ephemeral: through the request's response_url when Slack gave one (slash
commands, message buttons; up to five posts), else `chat.postEphemeral` in the thread, else a DM.
Public replies go to the channel or thread. Files go to the DM unless the reply is public. A form
opens as a modal while the request's trigger_id is fresh, else as a private "Fill in" button.
"""

import logging
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.forms import SlackForms
from adapters.slack.mrkdwn import escape
from adapters.slack.offers import OfferCards
from adapters.slack.render.blocks import Message
from adapters.slack.render.forms import form_invitation
from adapters.slack.render.replies import render_reply
from adapters.slack.webapi import SlackCalls
from bridge.commands.replies import FileReply, Form, Reply, Text

log = logging.getLogger(__name__)
RESPONSE_URL_POSTS = 5


@dataclass(frozen=True)
class ReplyTo:
    user: str
    channel: str = ""
    thread: str = ""
    response_url: str = ""
    trigger_id: str = ""
    received: float = 0.0
    """time.monotonic() when the request carrying trigger_id came in."""


class Responder:
    def __init__(self, calls: SlackCalls, cards: OfferCards, forms: SlackForms) -> None:
        self._calls = calls
        self._cards = cards
        self._forms = forms

    async def text(self, text: str, to: ReplyTo, error: bool = False) -> None:
        await self.send(Text(text, error=error), to)

    async def send(self, reply: Reply, to: ReplyTo) -> None:
        if isinstance(reply, FileReply):
            await self._file(reply, to)
            return
        if isinstance(reply, Form):
            await self._form(reply, to)
            return
        for n, page in enumerate(render_reply(reply)):
            if to.response_url and n < RESPONSE_URL_POSTS and await self._via_response_url(page, to, reply.public):
                continue
            if reply.public and to.channel:
                await self._calls.post(channel=to.channel, thread_ts=to.thread or None, text=page.text,
                                       blocks=page.blocks, unfurl_links=False)
            else:
                await self._private(page, to)

    async def _form(self, form: Form, to: ReplyTo) -> None:
        form_id = await self._forms.save(form, to.user, to.channel, to.thread)
        if await self._forms.open_modal(form, form_id, to.trigger_id, to.received):
            return
        page = form_invitation(form, form_id)
        if not (to.response_url and await self._via_response_url(page, to, public=False)):
            await self._private(page, to)

    async def _private(self, page: Message, to: ReplyTo) -> None:
        if to.channel:
            try:
                await self._calls.ephemeral(channel=to.channel, user=to.user, thread_ts=to.thread or None,
                                            text=page.text, blocks=page.blocks)
                return
            except SlackApiError as exc:
                log.info("ephemeral reply to %s in %s failed (%s); sending a DM", to.user, to.channel,
                         exc.response.get("error"))
        channel = await self._cards.dm_channel(to.user)
        await self._calls.post(channel=channel, text=page.text, blocks=page.blocks, unfurl_links=False)

    async def _via_response_url(self, page: Message, to: ReplyTo, public: bool) -> bool:
        hook = AsyncWebhookClient(to.response_url)
        try:
            response = await hook.send(text=page.text, blocks=page.blocks, replace_original=False,
                                       response_type="in_channel" if public else "ephemeral")
        except Exception:  # a dead response_url falls back to the Web API; the reply itself must arrive
            log.warning("response_url post failed; falling back to the Web API", exc_info=True)
            return False
        if response.status_code != 200:
            log.warning("response_url answered %s; falling back to the Web API", response.status_code)
            return False
        return True

    async def _file(self, reply: FileReply, to: ReplyTo) -> None:
        public = reply.public and to.channel
        channel = to.channel if public else await self._cards.dm_channel(to.user)
        await self._calls.upload(channel=channel, thread_ts=(to.thread or None) if public else None,
                                 file=reply.data, filename=reply.filename, title=reply.filename,
                                 initial_comment=escape(reply.comment) or None)
