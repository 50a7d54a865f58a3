"""Sends one event, idempotently (the caller's txn id), honouring rate limits and riding out outages."""

import asyncio
import hashlib
import logging
from typing import Any

from nio import AsyncClient

from adapters.matrix.appservice.masquerade import Masquerade
from adapters.matrix.client import TRANSIENT_ERRORS, MatrixError, ok, stop_if_cancelled
from adapters.matrix.pacer import Pacer
from bridge.metrics import Metrics

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
                 masquerade: Masquerade | None = None) -> None:
        """`masquerade`: appservice mode, where ghosts post too."""
        self._client = client
        self._pacer = pacer
        self._metrics = metrics
        self._masquerade = masquerade

    async def send(self, room_id: str, content: dict[str, Any], tx_id: str, event_type: str = "m.room.message",
                   attempts: int | None = None, paced: bool = True, as_user: str = "", maybe_sent: bool = False) -> str:
        """Returns the event id. The same txn id always yields the same event, so retrying never doubles it.

        `as_user`: the ghost that posts it (appservice mode); the bot otherwise. `maybe_sent`: an earlier
        attempt may have reached the homeserver (appservice mode looks for it, see `masquerade`).

        Rate limits are always waited out; outages are retried `attempts` times (None: until it works),
        then the last error is raised for the caller's own retry (delivery, outbox).
        """
        if paced:
            await self._pacer.acquire()
        failures = 0
        while True:
            stop_if_cancelled()
            try:
                body = without_mentions(event_type, content)
                if self._masquerade is not None:
                    return await self._masquerade.send(room_id, event_type, body, tx_id, as_user,
                                                       maybe_sent=maybe_sent or failures > 0)
                resp = await self._client.room_send(room_id, event_type, body, tx_id=tx_id)
                return str(ok(resp, f"send to {room_id}").event_id)
            except MatrixError as exc:
                self._count(exc.errcode or f"http_{exc.http_status}")
                if exc.rate_limited:
                    log.info("homeserver rate limit; waiting %d ms", exc.retry_after_ms)
                    if self._metrics is not None:
                        self._metrics.rate_limit_wait.labels("matrix").inc(max(exc.retry_after_ms, 100) / 1000)
                    self._pacer.hold(exc.retry_after_ms)
                    await (self._pacer.acquire() if paced else self._pacer.wait_hold())
                    continue
                if not exc.transient:
                    raise
                error: Exception = exc
            except TRANSIENT_ERRORS as exc:
                self._count(type(exc).__name__)
                error = exc
            failures += 1
            if attempts is not None and failures >= attempts:
                raise error
            delay = BACKOFF[min(failures - 1, len(BACKOFF) - 1)]
            log.warning("sending to %s failed (%s); retrying in %ss", room_id, error, delay)
            await asyncio.sleep(delay)

    def _count(self, error: str) -> None:
        if self._metrics is not None:
            self._metrics.platform_errors.labels("matrix", error).inc()
