"""The nio client, set up so that rate limits and outages come back to our own retry logic.

nio retries 429s and timeouts forever by default; with both limits at 0 every M_LIMIT_EXCEEDED and
connection error reaches the pacer, the outbox and the sync loop, which decide how long to wait.
"""

import asyncio
from typing import TypeVar

import aiohttp
from nio import AsyncClient, AsyncClientConfig, ErrorResponse

TRANSIENT_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, TimeoutError, ConnectionError, OSError)
"""Raised by nio when the homeserver can't be reached; always worth a retry."""
T = TypeVar("T")


def stop_if_cancelled() -> None:
    """Re-raises a cancellation that a library turned into a timeout our retry loops would swallow.

    Seen under load: the sync task, cancelled at shutdown inside aiohttp's timeout, came back with
    TimeoutError and went on retrying while still marked as cancelling, so shutdown waited forever.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def make_client(homeserver: str, user_id: str) -> AsyncClient:
    config = AsyncClientConfig(
        max_limit_exceeded=0, max_timeouts=0, request_timeout=30,
        encryption_enabled=False, store=None, store_sync_tokens=False,
    )
    return AsyncClient(homeserver.rstrip("/"), user_id, config=config)


class MatrixError(Exception):
    """An error answer from the homeserver, with what we were doing when it came."""

    def __init__(self, what: str, response: ErrorResponse, http_status: int | None = None) -> None:
        super().__init__(f"{what}: {response}")
        self.errcode = response.status_code or ""
        self.retry_after_ms = response.retry_after_ms or 0
        transport = getattr(response, "transport_response", None)
        self.http_status = int(getattr(transport, "status", 0) or 0) if http_status is None else http_status

    @property
    def rate_limited(self) -> bool:
        return self.errcode == "M_LIMIT_EXCEEDED" or self.http_status == 429

    @property
    def transient(self) -> bool:
        """Worth retrying unchanged: rate limits and the homeserver's own failures (5xx, gateway errors)."""
        return self.rate_limited or self.http_status >= 500 or self.http_status == 0


def ok(response: T | ErrorResponse, what: str) -> T:
    """Returns a successful nio response, or raises MatrixError for an error one."""
    if isinstance(response, ErrorResponse):
        raise MatrixError(what, response)
    return response
