"""Slack errors no retry can fix: a person has to act (reinstall, invite the bot, unarchive, add a scope).

Each is logged loudly, kept in Redis (so every process's /readyz shows it) and reported to the
supervisors once; it is cleared by the next call that works. The work that failed is not dropped:
delivery keeps retrying with backoff until someone fixes the cause.
"""

import json
import logging
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis

from bridge.clock import now
from bridge.keys import Keys
from bridge.redis_text import text_list

log = logging.getLogger(__name__)

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

Reporter = Callable[[str], Awaitable[None]]


class NeedsPerson(Exception):
    def __init__(self, error: str, method: str, channel: str) -> None:
        super().__init__(f"Slack {method} failed with {error} ({FIXES.get(error, 'needs a person')})")
        self.error = error
        self.method = method
        self.channel = channel


class PlatformErrors:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._key = keys.platform_errors("slack")
        self._maybe_some = True
        """False once we know Redis holds none, so a working call costs no Redis round trip."""
        self.reporter: Reporter | None = None

    async def record(self, error: str, method: str, channel: str, needed: str = "") -> NeedsPerson:
        where = channel if error in CHANNEL else ""
        fix = f"add the scope '{needed}' to the app and reinstall it" if needed else FIXES.get(error, "")
        entry = {"error": error, "method": method, "channel": where, "fix": fix, "since": now()}
        self._maybe_some = True
        new = await self._redis.hsetnx(self._key, f"{error}|{method}|{where}", json.dumps(entry))
        if new:
            log.error("SLACK NEEDS A PERSON: %s failed with %s%s; fix: %s", method, error,
                      f" in channel {where}" if where else "", fix)
            await self._report(entry)
        else:
            log.warning("Slack %s still fails with %s%s", method, error, f" in {where}" if where else "")
        return NeedsPerson(error, method, channel)

    async def cleared_by_success(self, method: str, channel: str) -> None:
        """A call that works proves the token (and this method's scope, and this channel) fine again."""
        if not self._maybe_some:
            return
        fields = text_list(await self._redis.hkeys(self._key))
        stale = [f for f in fields if _fixed_by(f, method, channel)]
        if stale:
            await self._redis.hdel(self._key, *stale)
            log.info("Slack works again; cleared: %s", ", ".join(stale))
        self._maybe_some = len(fields) > len(stale)

    async def current(self) -> list[dict[str, str]]:
        raw = await self._redis.hvals(self._key)
        self._maybe_some = bool(raw)
        return sorted((json.loads(v) for v in raw), key=lambda e: e["since"])

    async def _report(self, entry: dict[str, object]) -> None:
        if self.reporter is None:
            return
        where = f" in <#{entry['channel']}>" if entry["channel"] else ""
        text = (f":rotating_light: CSR Bridge can't use Slack: `{entry['method']}` fails with `{entry['error']}`"
                f"{where}. Fix: {entry['fix']}. Chats waiting on it are kept and delivered once it is fixed.")
        try:
            await self.reporter(text)
        except Exception:  # the report is best effort; the error itself is logged and on /readyz
            log.exception("could not report the Slack error to the supervisors")


def _fixed_by(field: str, method: str, channel: str) -> bool:
    error, failed_method, where = field.split("|", 2)
    if error in AUTH:
        return True
    if error == "missing_scope":
        return failed_method == method
    return bool(channel) and where == channel
