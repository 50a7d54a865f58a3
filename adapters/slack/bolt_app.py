"""The slack-bolt AsyncApp: signature checks, ack-first listeners, and each event handled once.

Bolt verifies the signature in HTTP mode (401 otherwise). Commands, buttons and forms are acked before
our work runs (process_before_response=False: each listener acks, then carries on in the background).
Events API events are the other way round: handled in full before Slack gets its 200, and marked seen
only then, so a crash at any point leaves the event with Slack, which delivers it again; the handlers
are idempotent (a reply's ts is its message id). A redelivery of an event already handled is dropped;
one that comes while another process is still handling it is asked to come back later (503).
"""

import asyncio
import functools
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis
from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.bolt_logs import bolt_logger
from adapters.slack.chat_actions import MODAL_CALLBACK
from adapters.slack.inbound.commands import CommandInbound
from adapters.slack.inbound.forms import FormInbound
from adapters.slack.inbound.messages import MessageInbound
from adapters.slack.inbound.modals import SHORTCUT, ModalInbound
from adapters.slack.inbound.reactions import ReactionInbound
from adapters.slack.parts import SlackParts
from adapters.slack.render.cards import CHAT_ACTION, OFFER_ACCEPT, OFFER_DECLINE
from adapters.slack.render.forms import FORM_CALLBACK, FORM_OPEN
from adapters.slack.render.replies import RUN_ACTION
from bridge.config.slack import SlackConfig
from bridge.keys import Keys

log = logging.getLogger(__name__)
SEEN_TTL = 24 * 3600
CLAIM_SECONDS = 30
"""How long an event being handled holds off its redeliveries; a crashed handler's claim runs out."""


class InboundWork:
    """The listeners' background work, so shutdown (and tests) can wait for it to finish."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def tracked(self, listener: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        @functools.wraps(listener)
        async def run(**kwargs: Any) -> None:
            task = asyncio.current_task()
            if task is not None:
                self._tasks.add(task)
            try:
                await listener(**kwargs)
            finally:
                self._tasks.discard(task)

        return run

    async def idle(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def build_bolt(config: SlackConfig, client: AsyncWebClient, parts: SlackParts, redis: Redis, keys: Keys,
               work: InboundWork) -> AsyncApp:
    http = config.mode == "http"
    bolt = AsyncApp(client=client, signing_secret=config.signing_secret.get_secret_value() if http else None,
                    request_verification_enabled=http, process_before_response=False, name="csr-bridge",
                    logger=bolt_logger())

    commands, modals, messages = CommandInbound(parts), ModalInbound(parts), MessageInbound(parts)
    reactions = ReactionInbound(parts)
    t = work.tracked

    async def reaction_added(event: dict[str, Any]) -> None:
        """On an offer card it answers the offer; on a chat message it reaches the customer."""
        await commands.on_reaction(event)
        await reactions.on_added(event)

    events = {"message": t(messages.on_message), "reaction_added": t(reaction_added),
              "reaction_removed": t(reactions.on_removed), "app_home_opened": t(_home_opened(parts))}

    async def events_before_ack(body: dict[str, Any], next: Callable[[], Awaitable[None]]  # noqa: A002
                                ) -> BoltResponse | None:
        event_id = str(body.get("event_id") or "") if body.get("type") == "event_callback" else ""
        if not event_id:
            await next()
            return None
        seen, claim = keys.seen("slack", event_id), keys.lock(f"slack-event:{event_id}")
        if await redis.exists(seen):
            log.info("Slack event %s seen before (retry %s); skipped", event_id, body.get("retry_attempt", "?"))
            return BoltResponse(status=200, body="")
        if not await redis.set(claim, "1", nx=True, ex=CLAIM_SECONDS):
            return BoltResponse(status=503, body="")
        event = body.get("event") or {}
        handler = events.get(str(event.get("type")))
        try:
            if handler is not None:
                await handler(event=event)
        except Exception:
            await redis.delete(claim)
            log.exception("Slack %s event %s failed; Slack will deliver it again", event.get("type"), event_id)
            return BoltResponse(status=500, body="")
        await redis.set(seen, "1", ex=SEEN_TTL)
        await redis.delete(claim)
        return BoltResponse(status=200, body="")

    bolt.middleware(events_before_ack)
    bolt.command("/csr")(t(commands.on_slash))
    bolt.action(re.compile(rf"^{RUN_ACTION}(:[0-9]+)?\Z"))(t(commands.on_run_button))
    bolt.action(re.compile(rf"^({OFFER_ACCEPT}|{OFFER_DECLINE})\Z"))(t(commands.on_offer_button))
    bolt.action(re.compile(rf"^{CHAT_ACTION}:[A-Za-z0-9_]+\Z"))(t(modals.on_chat_button))
    bolt.shortcut(SHORTCUT)(t(modals.on_shortcut))
    bolt.view(MODAL_CALLBACK)(t(modals.on_submit))
    forms = FormInbound(parts)
    bolt.action(FORM_OPEN)(t(forms.on_fill_button))
    bolt.view(FORM_CALLBACK)(t(forms.on_submit))
    bolt.error(_log_error)
    return bolt


def _home_opened(parts: SlackParts) -> Callable[..., Awaitable[None]]:
    async def on_home_opened(event: dict[str, Any]) -> None:
        if event.get("tab", "home") == "home":
            await parts.home.publish(event["user"])

    return on_home_opened


async def _log_error(error: Exception, body: dict[str, Any]) -> None:
    log.error("Slack %s handler failed", body.get("type", "request"), exc_info=error)
