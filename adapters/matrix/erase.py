"""Erasing what the bridge posted on Matrix for a chat whose customer asked for their data to go.

Posts not sent yet leave the outbox; every post that was sent is redacted (`PUT /rooms/{room}/redact/{event}/{txn}`,
with a txn id fixed per event, so running the erase again redacts nothing twice). A customer's ghost (appservice
mode) redacts its own posts and is renamed "[erased]"; the bot redacts the rest. Rate limits are waited out, a
homeserver away is retried a few times, and any refusal is that post's outcome. A file's event is redacted, but
Matrix gives clients no way to delete the media itself: that is reported with its mxc:// URI, for the homeserver's
admin (Synapse: `DELETE /_synapse/admin/v1/media/{server}/{media_id}`).

Calls go through `Masquerade`, which makes plain client-server calls with whatever token it holds: the
`as_token` in appservice mode, the bot's access token otherwise (the one `serve` keeps in Redis, else a login
of its own, logged out at the end).
"""

import asyncio
import hashlib
from collections.abc import Sequence
from urllib.parse import quote

import aiohttp
from redis.asyncio import Redis

from adapters.matrix.appservice.masquerade import Masquerade
from adapters.matrix.client import MatrixError, make_client, ok
from adapters.matrix.outbox import Outbox
from bridge.config.matrix import MatrixConfig
from bridge.keys import Keys
from bridge.platform_posts import PlatformPost, PostKind, PostOutcome
from bridge.redis_text import texts_or_none

ERASED = "[erased]"
REASON = "erased at the customer's request"
ATTEMPTS = 4
BACKOFF = (1.0, 2.0, 5.0)


class MatrixEraser:
    platform = "matrix"

    def __init__(self, config: MatrixConfig, redis: Redis, keys: Keys) -> None:
        self._config = config
        self._redis = redis
        self._keys = keys
        self._outbox = Outbox(redis, keys)
        self._calls: Masquerade | None = None
        self._own_login = ""
        """The access token of a login made here (bot mode without a saved session), logged out at the end."""

    async def check(self) -> str:
        try:
            calls = await self._session()
            await calls.call("GET", "/account/whoami", None, what="whoami")
        except MatrixError as exc:
            return f"the homeserver refused the bridge's credentials ({exc.errcode or f'HTTP {exc.http_status}'})"
        except _UNREACHABLE as exc:
            return f"the homeserver could not be reached ({type(exc).__name__})"
        return ""

    async def erase(self, chat_id: str, posts: Sequence[PlatformPost]) -> list[PostOutcome]:
        await self._outbox.drop_chat(chat_id)
        calls = await self._session()
        outcomes: list[PostOutcome] = []
        for post in posts:
            media = await self._media(calls, post) if post.kind is PostKind.FILE else ""
            outcome = await self._redact(calls, post)
            outcomes.append(outcome)
            if outcome.erased and media:
                outcomes.append(PostOutcome(post, False, f"its file {media} stays in the homeserver's media "
                                                         "repository (clients can't delete media): ask its admin"))
        for ghost in sorted({p.sender for p in posts if p.sender}):
            outcomes += await self._rename(calls, ghost, posts)
        return outcomes

    async def close(self) -> None:
        if self._calls is not None:
            if self._own_login:
                try:
                    await self._calls.call("POST", "/logout", {}, what="log out")
                except (MatrixError, *_UNREACHABLE):
                    pass  # the device stays listed; nothing the erase needs
            await self._calls.close()

    async def _session(self) -> Masquerade:
        if self._calls is None:
            self._calls = Masquerade(self._config.client_url, await self._token())
        return self._calls

    async def _token(self) -> str:
        cfg = self._config
        if cfg.appservice:
            return cfg.as_token.get_secret_value()
        if token := cfg.access_token.get_secret_value():
            return token
        user, saved = texts_or_none(await self._redis.hmget(self._keys.adapter_state("matrix"),
                                                            ["user_id", "access_token"]))
        if user == cfg.user_id and saved:
            return saved
        client = make_client(cfg.client_url, cfg.user_id)
        try:
            login = ok(await client.login(cfg.password.get_secret_value(), device_name="CSR Bridge (erase)"), "login")
        finally:
            await client.close()
        self._own_login = str(login.access_token)
        return self._own_login

    async def _redact(self, calls: Masquerade, post: PlatformPost) -> PostOutcome:
        path = (f"/rooms/{quote(post.conversation, safe='')}/redact/{quote(post.post_id, safe='')}/"
                f"{_txn(post.post_id)}")
        try:
            await self._call(calls, path, post.sender)
        except MatrixError as exc:
            if exc.errcode == "M_NOT_FOUND":
                return PostOutcome(post, True, "gone already")
            if not (post.sender and exc.errcode == "M_FORBIDDEN"):
                return PostOutcome(post, False, _refusal(exc, post))
            try:  # the ghost left the room: the bot may redact it, with the power level to
                await self._call(calls, path, "")
            except MatrixError as again:
                return PostOutcome(post, False, _refusal(again, post))
        except _UNREACHABLE as exc:
            return PostOutcome(post, False, f"the homeserver could not be reached ({type(exc).__name__}) on its turn")
        return PostOutcome(post, True, "redacted")

    async def _call(self, calls: Masquerade, path: str, as_user: str) -> None:
        """The redaction, waiting out rate limits and retrying a homeserver that is briefly away."""
        for attempt in range(ATTEMPTS):
            try:
                await calls.call("PUT", path, {"reason": REASON}, as_user, "redact")
                return
            except MatrixError as exc:
                if exc.rate_limited:
                    await asyncio.sleep(max(exc.retry_after_ms, 100) / 1000)
                    continue
                if not exc.transient or attempt == ATTEMPTS - 1:
                    raise
            except _UNREACHABLE:
                if attempt == ATTEMPTS - 1:
                    raise
            await asyncio.sleep(BACKOFF[min(attempt, len(BACKOFF) - 1)])

    async def _media(self, calls: Masquerade, post: PlatformPost) -> str:
        """The mxc:// URI a file's event shows ("" when it can't be read, e.g. redacted before)."""
        path = f"/rooms/{quote(post.conversation, safe='')}/event/{quote(post.post_id, safe='')}"
        try:
            event = await calls.call("GET", path, None, post.sender, "read a file's event")
        except (MatrixError, *_UNREACHABLE):
            return ""
        url = (event.get("content") or {}).get("url")
        return url if isinstance(url, str) and url.startswith("mxc://") else ""

    async def _rename(self, calls: Masquerade, ghost: str, posts: Sequence[PlatformPost]) -> list[PostOutcome]:
        """The ghost carried the customer's name: it now says "[erased]" (its earlier membership events keep
        the old name in the rooms' history, which only the homeserver's admin can purge)."""
        shown = next(p for p in posts if p.sender == ghost)
        path = f"/profile/{quote(ghost, safe='')}/displayname"
        try:
            await calls.call("PUT", path, {"displayname": ERASED}, ghost, "rename the ghost")
        except (MatrixError, *_UNREACHABLE) as exc:
            return [PostOutcome(shown, False, f"the customer's ghost {ghost} keeps their name: {exc}")]
        return [PostOutcome(shown, True, f"the customer's ghost {ghost} is now named {ERASED}")]


_UNREACHABLE = (aiohttp.ClientError, OSError, TimeoutError)


def _txn(event_id: str) -> str:
    return "csrb.erase." + hashlib.sha256(event_id.encode()).hexdigest()[:40]


def _refusal(exc: MatrixError, post: PlatformPost) -> str:
    if exc.errcode == "M_FORBIDDEN":
        return (f"the homeserver refused the redaction in {post.conversation} (M_FORBIDDEN): the bot needs the power "
                "level to redact there, or it has left the room")
    return f"the homeserver refused the redaction ({exc.errcode or f'HTTP {exc.http_status}'})"
