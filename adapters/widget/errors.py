"""One error shape for the whole widget API: `{"error": code, "message": text}` with the right status.

Starlette's own errors (unknown path, wrong method) are turned into the same shape, so a client
never has to parse plain text.
"""

import logging
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bridge.attachments import AttachmentsUnavailable

log = logging.getLogger(__name__)
_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 400: "bad_request"}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None,
                 **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, **self.extra}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def rate_limited(retry_after: int, what: str) -> ApiError:
    return ApiError(429, "rate_limited", f"Too many {what}; try again in {retry_after} s.",
                    headers={"Retry-After": str(retry_after)}, retry_after=retry_after)


def unexpected(exc: Exception) -> ApiError:
    """What the client is told when it is not their fault: Redis away for a moment (503), or a bug (500)."""
    if isinstance(exc, RedisConnectionError | RedisTimeoutError | AttachmentsUnavailable):
        return ApiError(503, "unavailable", "The chat is briefly unavailable; try again in a few seconds.",
                        headers={"Retry-After": "5"}, retry_after=5)
    return ApiError(500, "internal_error", "Something went wrong on our side; please try again.")


async def api_error_handler(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def http_error_handler(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return ApiError(exc.status_code, code, exc.detail, headers=dict(exc.headers or {})).response()


async def unexpected_error_handler(_: Request, exc: Exception) -> Response:
    """For Redis errors a plain handler (logged as one line); for any other exception Starlette logs the
    traceback and re-raises after this. Either way the client gets the API's shape, not plain text."""
    if isinstance(exc, RedisConnectionError | RedisTimeoutError):
        log.warning("widget API call failed: Redis unavailable (%s)", exc.__class__.__name__)
    elif isinstance(exc, AttachmentsUnavailable):
        log.warning("widget API call failed: attachment store unavailable (%s)", exc)
    return unexpected(exc).response()


EXCEPTION_HANDLERS = {ApiError: api_error_handler, HTTPException: http_error_handler,
                      RedisConnectionError: unexpected_error_handler, RedisTimeoutError: unexpected_error_handler,
                      AttachmentsUnavailable: unexpected_error_handler,
                      Exception: unexpected_error_handler}
