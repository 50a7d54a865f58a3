"""The chat WebSocket under random cursors and token offers: it answers as its OpenAPI entry says (an event
stream, or one error frame and a 44xx close code), never a failed handshake, a 1011 or a dropped connection.

Schemathesis can't open WebSockets, so this is the WebSocket's part of tests/fuzz/test_widget_schema.py.
"""

import asyncio
import contextlib
import json
import re
import string
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from adapters.widget.openapi import build_openapi
from testkit.configs import make_config
from tests.widget.conftest import HOST_ORIGIN, Served, running_bridge

TCHARS = string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~"
"""What a subprotocol may be made of (an HTTP token); anything else a browser refuses to send."""
ERRORS = {"invalid_after": 4400, "invalid_token": 4401, "token_expired": 4401, "missing_token": 4401,
          "wrong_chat": 4403, "chat_not_found": 4404, "too_many_sockets": 4429}
AFTER = st.one_of(st.sampled_from(["0", "0-0", "1712345678901-0", "9" * 19, "9" * 20, "٣", "1\n", "-1"]),
                  st.from_regex(r"[0-9]{1,22}(-[0-9]{1,22})?", fullmatch=True), st.text(max_size=24))
SPEC = build_openapi(make_config(Path(".")))
AFTER_PATTERN = next(p["schema"]["pattern"] for p in SPEC["paths"]["/api/v1/chats/{chat_id}/ws"]["get"]["parameters"]
                     if p["name"] == "after")
"""What the description promises to take: the code is checked against it, not against itself."""
QUIET = 0.3
OFFER = st.sampled_from(["valid", "other chat", "made up", "none", "query"])


@pytest.fixture
async def served(tmp_path: Path, redis: Redis, redis_url: str) -> AsyncIterator[Served]:
    async with running_bridge(tmp_path, redis, redis_url, widget={"requests_per_minute_per_address": 10**6,
                                                                  "chats_per_hour_per_address": 10**6}) as bridge:
        yield bridge


async def _frames(served: Served, chat: dict[str, Any], other: dict[str, Any], after: str, offer: str,
                  made_up: str) -> tuple[list[dict[str, Any]], int | None]:
    token = {"valid": chat["token"], "other chat": other["token"], "made up": made_up, "query": ""}.get(offer, "")
    url = f"{served.ws_url}/api/v1/chats/{chat['chat_id']}/ws?after={quote(after, safe='')}"
    if offer == "query":
        url += f"&token={quote(chat['token'])}"
    protocols = ["csr-bridge.v1", f"token.{token}"] if token else ["csr-bridge.v1"]
    async with connect(url, origin=HOST_ORIGIN, proxy=None, subprotocols=protocols) as ws:  # type: ignore[arg-type,list-item]
        assert ws.subprotocol == "csr-bridge.v1"
        with contextlib.suppress(ConnectionClosed):
            await ws.send(json.dumps({"type": "ping"}))  # an open socket answers at least this
        frames: list[dict[str, Any]] = []
        with contextlib.suppress(ConnectionClosed, TimeoutError):
            async with asyncio.timeout(QUIET):  # a refusal comes at once; an open socket stays open
                while True:
                    frames.append(json.loads(await ws.recv()))
        return frames, ws.close_code


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(after=AFTER, offer=OFFER, made_up=st.text(alphabet=TCHARS, min_size=1, max_size=60))
async def test_random_cursors_and_token_offers_get_documented_answers(served: Served, after: str, offer: str,
                                                                     made_up: str) -> None:
    async with served.client() as c:
        chat = await served.start_chat(c, message="hello")
        other = await served.start_chat(c, name="Bob")
    frames, code = await _frames(served, chat, other, after, offer, made_up)
    if offer in ("valid", "query") and re.fullmatch(AFTER_PATTERN, after):
        assert code is None and "pong" in [f["type"] for f in frames], frames
        assert "error" not in [f["type"] for f in frames], frames
        return
    assert [f["type"] for f in frames] == ["error"], frames
    assert ERRORS.get(frames[0]["error"]) == code, (frames, code)
