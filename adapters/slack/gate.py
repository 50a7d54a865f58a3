"""What /slack/events lets through to bolt: small, signed, fresh, parseable requests, each once.

Bolt reads a whole body before it checks anything, answers 500 to a bad timestamp or a body it can't
parse, and logs a refused body. So the checks run here first, cheapest first: the address's record of
refusals, the headers, a capped read (413 past `max_request_bytes`, 408 when it trickles), the
signature (slack_sdk's SignatureVerifier), one use of each signature (a replay inside Slack's 5-minute
window is refused: a command, a button or an event runs once), and a parse the way bolt parses.
Every refusal is a 4xx in the API's error shape, and is counted against its address; an address with
too many gets 429, unlogged, for anything but a small signed request, and a big body is not read.
Signed requests never count, and still run from an address over its limit.
"""

import asyncio
import logging
import re
import time

from redis.asyncio import Redis
from slack_bolt.adapter.starlette.async_handler import to_async_bolt_request, to_starlette_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bridge.config.slack import SlackConfig
from bridge.keys import Keys
from bridge.ratelimit import RateLimiter

log = logging.getLogger(__name__)
WINDOW_SECONDS = 300
"""Slack's: a request whose timestamp is further from now than this is refused."""
READ_SECONDS = 10.0
"""A body still arriving after this long is refused (a slow trickle holds a connection, not the bridge)."""
REFUSALS = "slack-refused"
OVER_LIMIT_BYTES = 65_536
"""An address past its refusals is still heard, but only in requests this small (Slack's usual ones): a proxy
whose address all requests share can't be used to lock Slack out, and a flood costs little."""
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self, headers: dict[str, str] | None = None) -> Response:
        return JSONResponse({"error": self.code, "message": self.message}, status_code=self.status, headers=headers)


class RequestGate:
    def __init__(self, config: SlackConfig, bolt: AsyncApp, redis: Redis, keys: Keys) -> None:
        self._bolt = bolt
        self._redis = redis
        self._keys = keys
        self._limiter = RateLimiter(redis, keys)
        self._verifier = SignatureVerifier(config.signing_secret.get_secret_value())
        self._max_bytes = config.max_request_bytes
        self._refusals = config.refused_per_minute_per_address

    async def handle(self, request: Request) -> Response:
        address = request.client.host if request.client else "unknown"
        wait = await self._limiter.wait_left(REFUSALS, address, self._refusals)
        try:
            bolt_request = await self._admit(request, OVER_LIMIT_BYTES if wait else self._max_bytes)
        except Refused as refused:
            if wait:
                return Refused(429, "rate_limited", f"Too many refused requests from this address; try again in "
                                                    f"{wait} s.").response({"Retry-After": str(wait)})
            await self._limiter.wait_needed(REFUSALS, address, self._refusals, 60)
            log.info("Slack request from %r refused: %s %s", address, refused.status, refused.code)
            return refused.response()
        return to_starlette_response(await self._bolt.async_dispatch(bolt_request))

    async def _admit(self, request: Request, max_bytes: int) -> AsyncBoltRequest:
        length = request.headers.get("content-length")
        if length is not None and length.isascii() and length.isdigit() and int(length) > max_bytes:
            raise _too_large(max_bytes)
        timestamp = request.headers.get("x-slack-request-timestamp", "")
        signature = request.headers.get("x-slack-signature", "")
        if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
            raise Refused(401, "invalid_signature", "X-Slack-Request-Timestamp and X-Slack-Signature (v0=...) "
                                                    "are required, as Slack sends them.")
        if abs(time.time() - int(timestamp)) > WINDOW_SECONDS:
            raise Refused(401, "stale_request", "X-Slack-Request-Timestamp is more than 5 minutes from now.")
        body = await self._read(request, max_bytes)
        try:
            text = body.decode()
        except UnicodeDecodeError:
            raise Refused(400, "malformed_body", "The body is not UTF-8.") from None
        if not self._verifier.is_valid(text, timestamp, signature):
            raise Refused(401, "invalid_signature", "The request's signature does not match its body.")
        if not await self._redis.set(self._keys.seen("slack-request", signature), "1", nx=True,
                                     ex=2 * WINDOW_SECONDS):
            raise Refused(401, "replayed_request", "This signed request was received before; it runs once.")
        try:
            bolt_request = to_async_bolt_request(request, body)
        except (ValueError, RecursionError, AttributeError, TypeError):
            raise Refused(400, "malformed_body", "The body is not what Slack sends (UTF-8 JSON, or a form with a "
                                                 "JSON payload).") from None
        if not isinstance(bolt_request.body, dict):
            raise Refused(400, "malformed_body", "The body must be a JSON object.")
        return bolt_request

    async def _read(self, request: Request, max_bytes: int) -> bytes:
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(READ_SECONDS):
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > max_bytes:
                        raise _too_large(max_bytes)
                    chunks.append(chunk)
        except TimeoutError:
            raise Refused(408, "request_timeout", f"The body took more than {READ_SECONDS:g} s to arrive.") from None
        return b"".join(chunks)


def _too_large(limit: int) -> Refused:
    return Refused(413, "request_too_large", f"Requests to /slack/events are limited to {limit} bytes.")
