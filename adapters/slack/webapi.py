"""The one door to Slack's Web API: posts are paced per channel, brief failures retried, lasting ones recorded.

slack-sdk retries only dropped connections; here a 429 waits its Retry-After (holding the channel),
a 5xx or timeout backs off and tries again, and an error a person must fix (`invalid_auth`,
`not_in_channel`, ...) goes to PlatformErrors (bridge.platform_problems) and is raised so the caller keeps
its work for later.
"""

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack.direct_post import DirectPost
from adapters.slack.pacing import ChannelPacer
from adapters.slack.problems import NEEDS_PERSON
from bridge.metrics import Metrics
from bridge.platform_problems import PlatformErrors

log = logging.getLogger(__name__)
TRANSIENT_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
Maker = Callable[[], Awaitable[AsyncSlackResponse]]
MAX_RETRYING_SECONDS = 40.0
"""Past this the error goes back to the caller (delivery retries later, under a fresh lock)."""
BACKOFF_FIRST, BACKOFF_MOST, BACKOFF_JITTER = 0.5, 8.0, 0.5
"""Seconds before the n-th retry of a 5xx or timeout: FIRST doubled n-1 times, at most MOST, plus up to JITTER."""


def retry_after(exc: BaseException) -> float | None:
    """Seconds Slack asked us to wait, when it answered 429."""
    if isinstance(exc, SlackApiError) and exc.response.status_code == 429:
        headers = {k.lower(): v for k, v in (exc.response.headers or {}).items()}
        value = headers.get("retry-after", "1")
        try:
            return max(float(value[0] if isinstance(value, list) else value), 0.0)
        except ValueError:
            return 1.0
    return None


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, SlackApiError):
        return exc.response.status_code == 429 or exc.response.status_code >= 500 or \
            exc.response.get("error") in TRANSIENT_ERRORS
    return isinstance(exc, (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError, SlackRequestError))


class SlackCalls:
    def __init__(self, client: AsyncWebClient, pacer: ChannelPacer, errors: PlatformErrors, metrics: Metrics,
                 attempts: int = 6) -> None:
        self.client = client
        self.direct_post = DirectPost(client)
        """chat.postMessage without the SDK's per-call wrapper, for the posts a busy chat makes most."""
        self._pacer = pacer
        self._errors = errors
        self._metrics = metrics
        self._attempts = attempts

    async def call(self, method: str, make: Maker, channel: str = "", paced: bool = False,
                   record: bool = True, attempts: int | None = None) -> AsyncSlackResponse:
        """Runs `make` (a fresh request each attempt); `paced` waits for the channel's turn first. A plain loop:
        a retry library's bookkeeping cost more CPU than the post it wrapped."""
        most, started, attempt = attempts or self._attempts, time.monotonic(), 0
        while True:
            attempt += 1
            if paced:
                await self._pacer.slot(channel)
            try:
                response = await make()
                break
            except Exception as exc:
                await self._failed(method, channel, exc, record)
                delay = _delay(exc, attempt)
                if not is_transient(exc) or attempt >= most or \
                        time.monotonic() - started + delay > MAX_RETRYING_SECONDS:
                    raise
                await asyncio.sleep(delay)
        await self._errors.cleared_by_success(method, channel)
        return response

    async def close(self) -> None:
        """Closes the hot path's own connections (the SDK's session is its owner's to close)."""
        await self.direct_post.close()

    async def post(self, **kwargs: Any) -> AsyncSlackResponse:
        return await self.call("chat.postMessage", lambda: self.client.chat_postMessage(**kwargs),
                               kwargs["channel"], paced=True)

    async def update(self, **kwargs: Any) -> AsyncSlackResponse:
        return await self.call("chat.update", lambda: self.client.chat_update(**kwargs), kwargs["channel"], paced=True)

    async def ephemeral(self, **kwargs: Any) -> AsyncSlackResponse:
        """Not recorded as needing a person: the caller falls back to a DM (the user may not be in there)."""
        return await self.call("chat.postEphemeral", lambda: self.client.chat_postEphemeral(**kwargs),
                               kwargs["channel"], record=False)

    async def upload(self, **kwargs: Any) -> AsyncSlackResponse:
        """files_upload_v2: getUploadURLExternal, the upload, completeUploadExternal (which posts)."""
        return await self.call("files.completeUploadExternal", lambda: self.client.files_upload_v2(**kwargs),
                               kwargs["channel"], paced=True)

    async def open_dm(self, user_id: str) -> str:
        response = await self.call("conversations.open", lambda: self.client.conversations_open(users=user_id))
        return str(response["channel"]["id"])

    async def _failed(self, method: str, channel: str, exc: BaseException, record: bool) -> None:
        error = exc.response.get("error", "") if isinstance(exc, SlackApiError) else exc.__class__.__name__
        self._metrics.platform_errors.labels("slack", error or "http").inc()
        if (delay := retry_after(exc)) is not None:
            log.warning("Slack rate-limited %s%s; waiting %.1fs", method, f" in {channel}" if channel else "", delay)
            self._metrics.rate_limit_wait.labels("slack").inc(delay)
            if channel:
                self._pacer.pause(channel, delay)
        elif isinstance(exc, SlackApiError) and error in NEEDS_PERSON and record:
            needed = str(exc.response.get("needed", ""))
            fix = f"add the scope '{needed}' to the app and reinstall it" if needed else ""
            raise await self._errors.record(error, method, channel, fix) from exc
        elif is_transient(exc):
            log.warning("Slack %s failed (%s); will retry", method, error)


def _delay(exc: BaseException, attempt: int) -> float:
    """Before the next attempt: what Slack's 429 asked for, else an exponential backoff with jitter."""
    asked = retry_after(exc)
    if asked is not None:
        return asked
    return min(BACKOFF_FIRST * 2 ** (attempt - 1), BACKOFF_MOST) + random.uniform(0, BACKOFF_JITTER)
