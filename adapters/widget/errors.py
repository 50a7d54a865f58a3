"""One error shape for the whole widget API: `{"error": code, "message": text}` with the right status.

Starlette's own errors (unknown path, wrong method) are turned into the same shape, so a client
never has to parse plain text.
"""

import logging
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response

from bridge.attachments import AttachmentsUnavailable
from bridge.i18n import DEFAULT_LANGUAGE, N_, accept_language_tags, pick_language, translator

log = logging.getLogger(__name__)
_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 400: "bad_request"}

CUSTOMER_TEXTS = {
    "rate_limited": N_("That was a lot at once; please wait {retry_after} s and try again."),
    "unavailable": N_("The chat is briefly unavailable; try again in a few seconds."),
    "internal_error": N_("Something went wrong on our side; please try again."),
    "chat_closed": N_("This chat has ended."),
    "chat_not_found": N_("This chat no longer exists; start a new one."),
    "token_expired": N_("This chat session has expired; start a new chat."),
    "invalid_token": N_("This chat session has expired; start a new chat."),
    "message_too_long": N_("Your message is too long; please shorten it."),
    "empty_message": N_("The message is empty."),
    "already_escalated": N_("This chat is already with our team."),
    "chat_not_closed": N_("A chat can be rated once it has ended."),
    "already_rated": N_("This chat has been rated already."),
    "file_too_large": N_("This file is too large to send."),
    "type_not_allowed": N_("Files of this type can't be sent."),
    "content_mismatch": N_("This file's content doesn't match its type."),
    "empty_file": N_("The file is empty."),
    "transcript_unavailable": N_("The transcript can't be read right now; try again soon."),
    "too_many_sockets": N_("This chat is open in too many tabs; close one and try again."),
    "unknown_topic": N_("Please pick one of the topics."),
    "invalid_body": N_("Some fields are missing or not valid."),
}
"""The errors a customer can meet in the widget, worded for them; the others (a broken client) stay as they
are, in English, for the developer who reads them."""
PLACES = {"retry_after"}


def request_language(request: HTTPConnection) -> str:
    """The language an API call asks errors in: widget.js sends its chat's as Accept-Language."""
    return pick_language(accept_language_tags(request.headers.get("accept-language", "")))


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None,
                 **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.extra = extra

    def body(self, language: str = "") -> dict[str, Any]:
        """`message` in the customer's language when one is named and the code is one a customer meets."""
        text = CUSTOMER_TEXTS.get(self.code)
        message = self.message
        if text and language and language != DEFAULT_LANGUAGE:
            message = translator(language).gettext(text, **{k: v for k, v in self.extra.items() if k in PLACES})
        return {"error": self.code, "message": message, **self.extra}

    def response(self, language: str = "") -> JSONResponse:
        headers = {**self.headers, "Content-Language": language} if language else self.headers
        return JSONResponse(self.body(language), status_code=self.status, headers=headers)


def rate_limited(retry_after: int, what: str) -> ApiError:
    return ApiError(429, "rate_limited", f"Too many {what}; try again in {retry_after} s.",
                    headers={"Retry-After": str(retry_after)}, retry_after=retry_after)


def unexpected(exc: Exception) -> ApiError:
    """What the client is told when it is not their fault: Redis away for a moment (503), or a bug (500)."""
    if isinstance(exc, RedisConnectionError | RedisTimeoutError | AttachmentsUnavailable):
        return ApiError(503, "unavailable", "The chat is briefly unavailable; try again in a few seconds.",
                        headers={"Retry-After": "5"}, retry_after=5)
    return ApiError(500, "internal_error", "Something went wrong on our side; please try again.")


async def api_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response(request_language(request))


async def http_error_handler(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return ApiError(exc.status_code, code, exc.detail, headers=dict(exc.headers or {})).response()


async def unexpected_error_handler(request: Request, exc: Exception) -> Response:
    """For Redis errors a plain handler (logged as one line); for any other exception Starlette logs the
    traceback and re-raises after this. Either way the client gets the API's shape, not plain text."""
    if isinstance(exc, RedisConnectionError | RedisTimeoutError):
        log.warning("widget API call failed: Redis unavailable (%s)", exc.__class__.__name__)
    elif isinstance(exc, AttachmentsUnavailable):
        log.warning("widget API call failed: attachment store unavailable (%s)", exc)
    return unexpected(exc).response(request_language(request))


EXCEPTION_HANDLERS = {ApiError: api_error_handler, HTTPException: http_error_handler,
                      RedisConnectionError: unexpected_error_handler, RedisTimeoutError: unexpected_error_handler,
                      AttachmentsUnavailable: unexpected_error_handler,
                      Exception: unexpected_error_handler}
