"""Slack's errors no retry can fix, for the core's one mechanism (bridge.platform_problems): which concern the
token, which one channel, and what a person does about each."""

from redis.asyncio import Redis

from bridge.keys import Keys
from bridge.platform_problems import PlatformErrors, ProblemKinds

AUTH = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
CHANNEL = {"channel_not_found", "not_in_channel", "is_archived"}
NEEDS_PERSON = AUTH | CHANNEL | {"missing_scope"}
FIXES = {
    "invalid_auth": "the bot token is wrong or the app was uninstalled: set slack.bot_token from the app's OAuth page",
    "not_authed": "no bot token was sent: set slack.bot_token",
    "account_inactive": "the app was deactivated or uninstalled: reinstall it to the workspace",
    "token_revoked": "the bot token was revoked: reinstall the app and set the new slack.bot_token",
    "token_expired": "the bot token expired: reinstall the app and set the new slack.bot_token",
    "missing_scope": "add the missing scope to the app (see adapters/slack/manifest.yml) and reinstall it",
    "channel_not_found": "check the channel id under [slack.channels] (and that the channel still exists)",
    "not_in_channel": "invite the bot to the channel: /invite @CSR Bridge",
    "is_archived": "unarchive the channel or point [slack.channels] at another one",
}
SLACK_PROBLEMS = ProblemKinds(platform="slack", shown="Slack", account=frozenset(AUTH), place=frozenset(CHANNEL),
                              fixes=FIXES)


def slack_errors(redis: Redis, keys: Keys) -> PlatformErrors:
    return PlatformErrors(redis, keys, SLACK_PROBLEMS)
