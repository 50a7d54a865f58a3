"""Reading request bodies with the checks every endpoint needs: content type, size, well-formed JSON."""

from typing import TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from adapters.widget.errors import ApiError

M = TypeVar("M", bound=BaseModel)


def json_limit(max_message_chars: int) -> int:
    """Room for the longest allowed message even with every character escaped (a \\uXXXX pair is 12)."""
    return 16 * 1024 + max_message_chars * 12


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def declared_length(request: Request, limit: int) -> int | None:
    raw = request.headers.get("content-length")
    if raw is None:
        return None
    if not raw.isdigit():
        raise ApiError(400, "bad_content_length", "Content-Length must be a whole number.")
    if int(raw) > limit:
        raise ApiError(413, "body_too_large", f"The request body is larger than {limit} bytes.")
    return int(raw)


async def read_capped(request: Request, limit: int) -> bytes:
    declared_length(request, limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ApiError(413, "body_too_large", f"The request body is larger than {limit} bytes.")
    return bytes(body)


async def read_json(request: Request, model: type[M], limit: int) -> M:
    if media_type(request) != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send a JSON body with Content-Type: application/json.")
    return parse_json(await read_capped(request, limit), model)


def parse_json(raw: bytes | str, model: type[M]) -> M:
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        if any(e["type"] == "json_invalid" for e in errors):
            raise ApiError(400, "malformed_json", "The body is not valid JSON.") from None
        fields = [{"field": ".".join(str(p) for p in e["loc"]) or "(body)", "message": e["msg"]} for e in errors]
        raise ApiError(422, "invalid_body", "Some fields are missing or not valid.", fields=fields) from None
