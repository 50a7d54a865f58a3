"""Erasing what the bridge posted on Slack for a chat whose customer asked for their data to go.

Messages go (chat.delete), files go (files.delete); a thread's header and an offer card are rewritten as
"[erased]" instead (chat.update, no blocks), so the CSRs' own replies under a header keep their thread.
Only the bot's own posts are touched, with the bot token. Rate limits and brief outages are waited out as
elsewhere (adapters.slack.webapi); any other refusal is that post's outcome, with what a person can do about it.
Failures are not recorded for /readyz: an archived channel here is history, not a broken deployment.
"""

import asyncio
from collections.abc import Sequence
from functools import partial

import aiohttp
from redis.asyncio import Redis
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.pacing import ChannelPacer
from adapters.slack.problems import FIXES, slack_errors
from adapters.slack.webapi import SlackCalls
from bridge.config.slack import SlackConfig
from bridge.keys import Keys
from bridge.metrics import Metrics
from bridge.platform_posts import PlatformPost, PostKind, PostOutcome

ERASED = "[erased]"
GONE = {"message_not_found", "file_not_found", "file_deleted"}
REFUSALS = {
    **FIXES,
    "cant_delete_message": "Slack does not let the bot delete this message (the bot did not post it)",
    "cant_update_message": "Slack does not let the bot edit this message (the bot did not post it)",
    "cant_delete_file": "Slack does not let the bot delete this file (the bot did not upload it)",
    "ratelimited": "Slack kept answering 429",
}


class SlackEraser:
    platform = "slack"

    def __init__(self, config: SlackConfig, redis: Redis, keys: Keys) -> None:
        self.client = AsyncWebClient(token=config.bot_token.get_secret_value(), base_url=config.api_url, timeout=30)
        self._calls = SlackCalls(self.client, ChannelPacer(config.messages_per_second, config.burst),
                                 slack_errors(redis, keys), Metrics(), attempts=4)

    async def check(self) -> str:
        try:
            await self._calls.call("auth.test", self.client.auth_test, record=False, attempts=2)
        except SlackApiError as exc:
            error = str(exc.response.get("error", "") or f"HTTP {exc.response.status_code}")
            return f"Slack refused auth.test: {error} ({REFUSALS.get(error, 'see Slack')})"
        except (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError, SlackRequestError) as exc:
            return f"Slack could not be reached ({type(exc).__name__})"
        return ""

    async def erase(self, chat_id: str, posts: Sequence[PlatformPost]) -> list[PostOutcome]:
        return [await self._erase(post) for post in posts]

    async def close(self) -> None:
        if self.client.session is not None:
            await self.client.session.close()

    async def _erase(self, post: PlatformPost) -> PostOutcome:
        client, channel = self.client, post.conversation
        if post.kind is PostKind.FILE:
            method, call, done = "files.delete", partial(client.files_delete, file=post.post_id), "file deleted"
        elif post.kind in (PostKind.ROOT, PostKind.OFFER):
            method, done = "chat.update", f"rewritten as {ERASED}"
            call = partial(client.chat_update, channel=channel, ts=post.post_id, text=ERASED, blocks=[])
        else:
            method, call, done = "chat.delete", partial(client.chat_delete, channel=channel, ts=post.post_id), "deleted"
        try:
            await self._calls.call(method, call, channel, paced=True, record=False)
        except SlackApiError as exc:
            error = str(exc.response.get("error", "") or f"HTTP {exc.response.status_code}")
            if error in GONE:
                return PostOutcome(post, True, "gone already")
            return PostOutcome(post, False, f"Slack refused {method}: {error} ({REFUSALS.get(error, 'see Slack')})")
        except (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError, SlackRequestError) as exc:
            return PostOutcome(post, False, f"Slack could not be reached ({type(exc).__name__}) on its turn")
        return PostOutcome(post, True, done)
