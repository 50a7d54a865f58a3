"""One error shape for the whole widget API: `{"error": code, "message": text}` with the right status.

Starlette's own errors (unknown path, wrong method) are turned into the same shape, so a client
never has to parse plain text.
"""

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

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


async def api_error_handler(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def http_error_handler(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return ApiError(exc.status_code, code, exc.detail, headers=dict(exc.headers or {})).response()


EXCEPTION_HANDLERS = {ApiError: api_error_handler, HTTPException: http_error_handler}
