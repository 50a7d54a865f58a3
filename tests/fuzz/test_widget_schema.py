"""Schemathesis against the widget API's own OpenAPI description, served by a live bridge: no 5xx,
every status documented, every body, content type and header as described; data the description calls
valid is accepted and data it calls invalid refused.

Each operation runs twice: with the tokens schemathesis makes up (all refused, and `ignored_auth` checks
that they are), and with a valid token, given by a `before_call` hook that opens a fresh chat per case
(and uploads a file for a download) so the generated bodies and queries reach the handlers. The
WebSocket is no HTTP operation: tests/fuzz/test_widget_socket.py fuzzes it.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.mutations import OperatorKind
from schemathesis.specs.openapi.checks import ignored_auth, negative_data_rejection, positive_data_acceptance

from adapters.widget.openapi import build_openapi
from bridge.text import clean_text
from testkit.configs import make_config
from tests.fuzz.live_bridge import threaded_bridge
from tests.widget.conftest import HOST_ORIGIN

UNLIMITED = {"chats_per_hour_per_address": 10**6, "requests_per_minute_per_address": 10**6,
             "messages_per_minute": 10**6, "sockets_per_address": 10**6}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
REFUSALS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]
"""How invalid data may be refused: schemathesis' list plus 413, a body over the size a field's maxLength allows."""
CONFIG = SchemathesisConfig.from_dict({"checks": {"negative_data_rejection": {"expected-statuses": REFUSALS}}})
schema = schemathesis.openapi.from_dict(build_openapi(make_config(Path("."))), config=CONFIG).exclude(
    path_regex=r"/ws$")


@dataclass
class Target:
    """Where the hook opens chats; `url` is empty while no test asks for valid tokens."""

    url: str = ""


TARGET = Target()


@schemathesis.hook
def before_call(context: Any, case: schemathesis.Case, kwargs: dict[str, Any]) -> None:
    case.headers = {**(case.headers or {}), "Origin": HOST_ORIGIN}
    if not TARGET.url or "chat_id" not in (case.path_parameters or {}):
        return
    chat = _post("/api/v1/chats", json={"name": "Fuzz"})
    case.path_parameters["chat_id"] = chat["chat_id"]
    bearer = f"Bearer {chat['token']}"
    case.headers["Authorization"] = bearer
    if case.query and "token" in case.query:
        case.query["token"] = chat["token"]
    if "attachment_id" in case.path_parameters:
        sent = _post(f"/api/v1/chats/{chat['chat_id']}/attachments", headers={"Authorization": bearer},
                     files={"file": ("f.png", PNG, "image/png")})
        case.path_parameters["attachment_id"] = sent["event"]["attachments"][0]["id"]


def _post(path: str, **kwargs: Any) -> dict[str, Any]:
    resp = requests.post(f"{TARGET.url}{path}", headers={"Origin": HOST_ORIGIN, **kwargs.pop("headers", {})},
                         timeout=10, **kwargs)
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


@schemathesis.check
def positive_data_accepted(ctx: Any, response: Any, case: schemathesis.Case) -> bool | None:
    """`positive_data_acceptance`, but for two rules JSON Schema cannot state: an upload's bytes must be of the
    type its part names (files.content_matches), and text is cleaned before its pattern is checked, which
    generators may not honour for control characters and lone surrogates (seen: a message of only U+0007)."""
    if response.status_code == 415 and response.json().get("error") == "content_mismatch":
        return None
    if response.status_code == 422 and any(clean_text(v) != v for v in _strings(case.body)):
        return None  # cleaned first (bridge/text.py), so a text of only such characters is blank
    return positive_data_acceptance(ctx, response, case)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@schemathesis.check
def negative_data_refused(ctx: Any, response: Any, case: schemathesis.Case) -> bool | None:
    """`negative_data_rejection`, counting only the mutations that still reach the API as invalid: not a
    multipart field made a number or an object (it is text on the wire), not an extra query parameter
    (ignored, as by most HTTP APIs), not the token or ids the hook replaced, not text that cleaning made valid."""
    phase = getattr(getattr(case.meta, "phase", None), "data", None)
    changes = list(getattr(phase, "mutations", None) or [])
    if changes and not any(_reaches_the_api(m, case) for m in changes):
        return None
    if response.status_code < 400 and any(clean_text(v) != v for v in _strings(case.body)):
        return None  # limits hold for the cleaned text (the description says so): seen, 255 characters and a ^X
    return negative_data_rejection(ctx, response, case)


def _reaches_the_api(mutation: Any, case: schemathesis.Case) -> bool:
    where = mutation.parameter_location.value
    if where == "body":
        return not (case.media_type == "multipart/form-data" and mutation.operator == OperatorKind.CHANGE_TYPE)
    if where == "query" and "additionalProperties" in mutation.keywords:
        return False
    replaced = {"header": {"Authorization"}, "path": {"chat_id", "attachment_id"}, "query": {"token"}}
    return not (TARGET.url and mutation.parameter in replaced.get(where, set()))


@pytest.fixture
def live(tmp_path: Path, redis_url: str, redis: object) -> Iterator[str]:
    """`redis` is asked for only to start from a clean database."""
    with threaded_bridge(tmp_path, redis_url, widget=UNLIMITED) as url:
        yield url


@pytest.fixture
def valid_tokens(live: str) -> Iterator[str]:
    TARGET.url = live
    try:
        yield live
    finally:
        TARGET.url = ""


FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


@schema.parametrize()
@FUZZ
def test_the_api_answers_as_described_with_valid_tokens(case: schemathesis.Case, valid_tokens: str) -> None:
    case.call_and_validate(base_url=valid_tokens, timeout=10,
                           excluded_checks=[ignored_auth, positive_data_acceptance, negative_data_rejection],
                           additional_checks=[positive_data_accepted, negative_data_refused])


@schema.parametrize()
@FUZZ
def test_the_api_answers_as_described_with_made_up_tokens(case: schemathesis.Case, live: str) -> None:
    case.call_and_validate(base_url=live, timeout=10, excluded_checks=[negative_data_rejection],
                           additional_checks=[negative_data_refused])


def test_a_path_no_route_can_match_still_gets_a_json_error(live: str) -> None:
    """Found by the run above: a newline in the path slipped past the /api/v1 mount to a plain-text 404."""
    resp = requests.get(f"{live}/api/v1/chats/abc/attachments/%0Ax", headers={"Origin": HOST_ORIGIN}, timeout=10)
    assert resp.status_code == 404
    assert resp.json()["error"] == "not_found"
