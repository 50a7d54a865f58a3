"""Forms kept for their modal: a modal needs a trigger_id under 3 seconds old, which a command's reply may
not have left, so the form waits in Redis (for its "Fill in" button, and for the submission to know it)."""

import json
import logging
import time
from dataclasses import asdict

from pydantic import BaseModel
from redis.asyncio import Redis
from slack_sdk.errors import SlackApiError

from adapters.slack.render.forms import form_modal
from adapters.slack.webapi import SlackCalls
from bridge.commands.replies import Form, FormField
from bridge.domain.ids import new_id
from bridge.keys import Keys

log = logging.getLogger(__name__)
FORM_TTL = 6 * 3600
TRIGGER_FRESH_SECONDS = 2.5
"""Slack's trigger_id lives 3 seconds; past this the button is the surer way."""


class StoredForm(BaseModel):
    """Who the form is for and where its answer goes, beside the form itself."""

    user: str
    channel: str = ""
    thread: str = ""
    form: dict

    def as_form(self) -> Form:
        data = dict(self.form)
        fields = tuple(FormField(**{**f, "choices": tuple(f.get("choices") or ())}) for f in data.pop("fields"))
        return Form(**data, fields=fields)


class SlackForms:
    def __init__(self, calls: SlackCalls, redis: Redis, keys: Keys) -> None:
        self._calls = calls
        self._redis = redis
        self._keys = keys

    async def save(self, form: Form, user: str, channel: str, thread: str) -> str:
        form_id = new_id(12)
        record = StoredForm(user=user, channel=channel, thread=thread, form=asdict(form))
        await self._redis.set(self._keys.slack_form(form_id), record.model_dump_json(), ex=FORM_TTL)
        return form_id

    async def load(self, form_id: str) -> StoredForm | None:
        raw = await self._redis.get(self._keys.slack_form(form_id)) if form_id else None
        return StoredForm.model_validate(json.loads(raw)) if raw else None

    async def drop(self, form_id: str) -> None:
        await self._redis.delete(self._keys.slack_form(form_id))

    async def open_modal(self, form: Form, form_id: str, trigger_id: str, received: float) -> bool:
        """views.open while the trigger is fresh; False (the caller offers the button) when it isn't."""
        if not trigger_id or time.monotonic() - received > TRIGGER_FRESH_SECONDS:
            return False
        view = form_modal(form, form_id)
        try:
            await self._calls.call("views.open", lambda: self._calls.client.views_open(trigger_id=trigger_id,
                                                                                      view=view),
                                   record=False, attempts=1)
        except SlackApiError as exc:
            log.info("views.open for form %s failed (%s); offering a button instead", form_id,
                     exc.response.get("error"))
            return False
        return True
