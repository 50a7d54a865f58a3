"""The appservice API the homeserver calls: transactions, user and room queries, ping.

Every call must carry the registration's `hs_token` (401 without, 403 when wrong). A transaction's
events are recorded and queued in Redis atomically before the 200 (`take_transaction.lua`), so the
homeserver's retry of an answered transaction is answered again without queueing anything, and the
Matrix leader handles the queue in order, however long that takes. A transaction is known by its id *and*
its events' ids: Synapse on SQLite numbers transactions from 1 again after a restart, so an id alone would
take new events for a repeat and drop them (each event is handled once downstream anyway). Bodies are read
capped, parsed strictly, and refused with a Matrix-style 4xx when they are too big or malformed.
"""

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from importlib.resources import files
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from redis.asyncio import Redis
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bridge.config.matrix import MatrixConfig
from bridge.keys import Keys

log = logging.getLogger(__name__)
PREFIX = "/_matrix/app/v1"
_TAKE = files("adapters.matrix.appservice").joinpath("take_transaction.lua").read_text()
TRANSACTION_TTL = 30 * 24 * 3600
SIGNALS_CAP = 10_000
READ_SECONDS = 30.0
MAX_ID_CHARS = 255


class Transaction(BaseModel):
    events: list[dict[str, Any]] = Field(default_factory=list)
    ephemeral: list[dict[str, Any]] = Field(default_factory=list)
    unstable_ephemeral: list[dict[str, Any]] = Field(default_factory=list, alias="de.sorunome.msc2409.ephemeral")


class Refused(Exception):
    def __init__(self, status: int, errcode: str, message: str) -> None:
        super().__init__(message)
        self.status, self.errcode, self.message = status, errcode, message

    def response(self) -> JSONResponse:
        return JSONResponse({"errcode": self.errcode, "error": self.message}, status_code=self.status)


class AppserviceApi:
    def __init__(self, config: MatrixConfig, redis: Redis, keys: Keys,
                 user_exists: Callable[[str], Awaitable[bool]]) -> None:
        """`user_exists(user_id)`: whether a ghost in our namespace belongs to a chat (made on the way)."""
        self._config = config
        self._redis = redis
        self._keys = keys
        self._user_exists = user_exists
        self._take = redis.register_script(_TAKE)
        self._token = config.hs_token.get_secret_value().encode()

    def routes(self) -> list[Route]:
        return [
            Route(PREFIX + "/transactions/{txn_id:path}", self._guarded(self.transaction), methods=["PUT"]),
            Route(PREFIX + "/users/{user_id:path}", self._guarded(self.user), methods=["GET"]),
            Route(PREFIX + "/rooms/{alias:path}", self._guarded(self.room), methods=["GET"]),
            Route(PREFIX + "/ping", self._guarded(self.ping), methods=["POST"]),
        ]

    def _guarded(self, handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        async def guarded(request: Request) -> Response:
            try:
                self._check_token(request)
                return await handler(request)
            except Refused as refused:
                log.info("appservice call %s %s refused: %s %s", request.method, request.url.path.split("/")[4],
                         refused.status, refused.errcode)
                return refused.response()
        return guarded

    def _check_token(self, request: Request) -> None:
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        token = presented.strip() if scheme.lower() == "bearer" else request.query_params.get("access_token", "")
        if not token:
            raise Refused(401, "M_UNAUTHORIZED", "Missing hs_token.")
        if not hmac.compare_digest(token.encode(), self._token):
            raise Refused(403, "M_FORBIDDEN", "Wrong hs_token.")

    async def transaction(self, request: Request) -> Response:
        txn_id = _identifier(request.path_params["txn_id"], "transaction id")
        body = await self._read(request)
        try:
            # json.loads, not pydantic's parser: a lone surrogate in an event is the core's to clean, not a reason
            # to refuse (and so lose) the whole transaction.
            txn = Transaction.model_validate(json.loads(body))
        except (ValueError, RecursionError, ValidationError):
            raise Refused(400, "M_NOT_JSON", "The body is not a transaction (a JSON object with an events list).") \
                from None
        events = [json.dumps(e, ensure_ascii=True) for e in txn.events]
        signals = [json.dumps(e, ensure_ascii=True) for e in txn.ephemeral or txn.unstable_ephemeral]
        known_by = "\n".join([txn_id, *(str(e.get("event_id", "")) for e in txn.events)])
        digest = hashlib.sha256(known_by.encode("utf-8", "surrogatepass")).hexdigest()
        taken = await self._take(keys=[self._keys.matrix_transaction(digest), self._keys.matrix_inbox,
                                       self._keys.matrix_signals],
                                 args=[TRANSACTION_TTL, len(events), SIGNALS_CAP, *events, *signals])
        if not taken:
            log.info("appservice transaction repeated; answered without handling it again")
        return JSONResponse({})

    async def user(self, request: Request) -> Response:
        user_id = _identifier(request.path_params["user_id"], "user id")
        if await self._user_exists(user_id):
            return JSONResponse({})
        raise Refused(404, "M_NOT_FOUND", "No such user here.")

    async def room(self, request: Request) -> Response:
        _identifier(request.path_params["alias"], "room alias")
        raise Refused(404, "M_NOT_FOUND", "The bridge makes no rooms for aliases.")

    async def ping(self, request: Request) -> Response:
        await self._read(request)
        return JSONResponse({})

    async def _read(self, request: Request) -> bytes:
        limit = self._config.max_transaction_bytes
        length = request.headers.get("content-length")
        if length is not None and length.isascii() and length.isdigit() and int(length) > limit:
            raise _too_large(limit)
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(READ_SECONDS):
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > limit:
                        raise _too_large(limit)
                    chunks.append(chunk)
        except TimeoutError:
            raise Refused(408, "M_UNKNOWN", "The body took too long to arrive.") from None
        except ClientDisconnect:
            raise Refused(400, "M_UNKNOWN", "The body was cut short.") from None
        return b"".join(chunks)


def _identifier(value: str, what: str) -> str:
    if not value or len(value) > MAX_ID_CHARS or any(ord(c) < 32 or ord(c) == 127 for c in value) \
            or any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise Refused(400, "M_INVALID_PARAM", f"Not a usable {what}.")
    return value


def _too_large(limit: int) -> Refused:
    return Refused(413, "M_TOO_LARGE", f"The body is larger than {limit} bytes.")
