"""Schemathesis against the widget API's own OpenAPI description, served by a live bridge: no 5xx,
every status documented, every body, content type and header as described.

Each example runs against a fresh chat with its valid token (wrong and missing tokens have their own
tests in tests/security and tests/widget), so the generated bodies reach the handlers.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from adapters.widget.openapi import build_openapi
from tests.fuzz.live_bridge import threaded_bridge
from tests.support.configs import make_config
from tests.widget.conftest import HOST_ORIGIN

UNLIMITED = {"chats_per_hour_per_address": 10**6, "requests_per_minute_per_address": 10**6,
             "messages_per_minute": 10**6}
schema = schemathesis.openapi.from_dict(build_openapi(make_config(Path("."))))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@pytest.fixture
def live(tmp_path: Path, redis_url: str, redis: object) -> Iterator[str]:
    """`redis` is asked for only to start from a clean database."""
    with threaded_bridge(tmp_path, redis_url, widget=UNLIMITED) as url:
        yield url


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_as_described(case: schemathesis.Case, live: str) -> None:
    if "chat_id" in (case.path_parameters or {}):
        started = requests.post(f"{live}/api/v1/chats", json={"name": "Fuzz"}, headers={"Origin": HOST_ORIGIN},
                                timeout=10)
        assert started.status_code == 201, started.text
        chat = started.json()
        case.path_parameters["chat_id"] = chat["chat_id"]
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {chat['token']}"}
        if case.query and "token" in case.query:
            case.query["token"] = chat["token"]
    case.headers = {**(case.headers or {}), "Origin": HOST_ORIGIN}
    case.call_and_validate(base_url=live, checks=CHECKS, timeout=10)


def test_a_path_no_route_can_match_still_gets_a_json_error(live: str) -> None:
    """Found by the run above: a newline in the path slipped past the /api/v1 mount to a plain-text 404."""
    resp = requests.get(f"{live}/api/v1/chats/abc/attachments/%0Ax", headers={"Origin": HOST_ORIGIN}, timeout=10)
    assert resp.status_code == 404
    assert resp.json()["error"] == "not_found"
