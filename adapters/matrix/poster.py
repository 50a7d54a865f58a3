"""Sends one event, idempotently (the caller's txn id), honouring rate limits and riding out outages.

The one door for the bot's posts, so a room it can no longer post in (kicked, banned) is recorded as needing a
person where it fails, and cleared by the next post that works there (bridge.platform_problems).
"""

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from nio import AsyncClient

from adapters.matrix.appservice.masquerade import Masquerade
from adapters.matrix.client import TRANSIENT_ERRORS, MatrixError, ok, stop_if_cancelled
from adapters.matrix.pacer import Pacer
from adapters.matrix.problems import ROOM_REFUSED
from bridge.metrics import Metrics
from bridge.platform_problems import PlatformErrors

log = logging.getLogger(__name__)
BACKOFF = (0.5, 1.0, 2.0, 5.0)


def without_mentions(event_type: str, content: dict[str, Any]) -> dict[str, Any]:
    """Adds an empty `m.mentions` (intentional mentions, Matrix 1.7) to a message that has none.

    With the key present, Synapse and clients skip the legacy push rules that ping on `@room` or a
    name in the body, so text a customer typed ("@room", a CSR's name) can't ping anyone.
    """
    if event_type != "m.room.message" or "m.mentions" in content:
        return content
    return {**content, "m.mentions": {}}


def txn_id(key: str) -> str:
    """A path-safe txn id that is always the same for the same post (chat event, offer, reply)."""
    return "csrb." + hashlib.sha256(key.encode()).hexdigest()[:40]


class Poster:
    def __init__(self, client: AsyncClient, pacer: Pacer, metrics: Metrics | None = None,
                 masquerade: Masquerade | None = None, errors: PlatformErrors | None = None) -> None:
        """`masquerade`: appservice mode, where ghosts post too. `errors`: where a room that refuses the bot
        is recorded (a ghost's refusal is not: it joins again, adapters.matrix.senders)."""
        self._client = client
        self._pacer = pacer
        self._metrics = metrics
        self._masquerade = masquerade
        self._errors = errors

    async def send(self, room_id: str, content: dict[str, Any], tx_id: str, event_type: str = "m.room.message",
                   attempts: int | None = None, paced: bool = True, as_user: str = "", maybe_sent: bool = False) -> str:
        """Returns the event id. The same txn id always yields the same event, so retrying never doubles it.

        `as_user`: the ghost that posts it (appservice mode); the bot otherwise. `maybe_sent`: an earlier
        attempt may have reached the homeserver (appservice mode looks for it, see `masquerade`).

        Rate limits are always waited out; outages are retried `attempts` times (None: until it works),
        then the last error is raised for the caller's own retry (delivery, outbox). A room that refuses the bot
        raises NeedsPerson, recorded.
        """
        if paced:
            await self._pacer.acquire()
        failures = 0
        while True:
            stop_if_cancelled()
            try:
                event_id = await self._send_once(room_id, without_mentions(event_type, content), tx_id, event_type,
                                                 as_user, maybe_sent or failures > 0)
            except MatrixError as exc:
                self._count(exc.errcode or f"http_{exc.http_status}")
                if exc.rate_limited:
                    log.info("homeserver rate limit; waiting %d ms", exc.retry_after_ms)
                    if self._metrics is not None:
                        self._metrics.rate_limit_wait.labels("matrix").inc(max(exc.retry_after_ms, 100) / 1000)
                    self._pacer.hold(exc.retry_after_ms)
                    await self._pacer.acquire()  # the refused send did not count: a slot of its own, after the hold
                    continue
                if not exc.transient:
                    if self._errors is not None and not as_user and exc.errcode in ROOM_REFUSED:
                        raise await self._errors.record(exc.errcode, "send", room_id) from exc
                    raise
                error: Exception = exc
            except TRANSIENT_ERRORS as exc:
                self._count(type(exc).__name__)
                error = exc
            else:
                if self._errors is not None and not as_user:
                    await self._errors.cleared_by_success("send", room_id)
                return event_id
            failures += 1
            if attempts is not None and failures >= attempts:
                raise error
            delay = BACKOFF[min(failures - 1, len(BACKOFF) - 1)]
            log.warning("sending to %s failed (%s); retrying in %ss", room_id, error, delay)
            await asyncio.sleep(delay)

    async def request(self, call: Callable[[], Awaitable[Any]], what: str, paced: bool = True) -> Any:
        """Another of the bot's requests that Synapse counts against its message limit (creating a room,
        joining, inviting, redacting): it takes a pace slot like a send (`paced=False`: the caller took it) and
        waits out M_LIMIT_EXCEEDED. Unpaced, a CSR's direct room was refused for a minute in the paced bench:
        the sends took each slot as it freed. Returns `call`'s successful response; other errors raise."""
        if paced:
            await self._pacer.acquire()
        while True:
            try:
                return ok(await call(), what)
            except MatrixError as exc:
                if not exc.rate_limited:
                    raise
                self._count(exc.errcode or f"http_{exc.http_status}")
                self._pacer.hold(exc.retry_after_ms)
                await self._pacer.acquire()

    async def _send_once(self, room_id: str, body: dict[str, Any], tx_id: str, event_type: str, as_user: str,
                         maybe_sent: bool) -> str:
        if self._masquerade is not None:
            return await self._masquerade.send(room_id, event_type, body, tx_id, as_user, maybe_sent=maybe_sent)
        resp = await self._client.room_send(room_id, event_type, body, tx_id=tx_id)
        return str(ok(resp, f"send to {room_id}").event_id)

    def _count(self, error: str) -> None:
        if self._metrics is not None:
            self._metrics.platform_errors.labels("matrix", error).inc()
