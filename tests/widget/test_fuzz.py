"""Random bodies and queries against the live API: never a server error, always a documented answer."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis

from tests.widget.conftest import Served, auth, running_bridge
from tests.widget.test_openapi import documented

SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
           | st.text(max_size=50))
JSON = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12)
FIELDS = st.fixed_dictionaries({}, optional={
    "name": st.text(max_size=90), "email": st.text(max_size=30), "topic": st.sampled_from(["", "question", "x"]),
    "message": st.text(max_size=60), "client_msg_id": st.text(max_size=70), "page_url": st.text(max_size=30),
    "text": st.text(max_size=60), "score": st.integers(-2, 8), "comment": st.text(max_size=40)})
BODY = FIELDS | JSON
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
UNLIMITED = {"chats_per_hour_per_address": 10**6, "requests_per_minute_per_address": 10**6,
             "messages_per_minute": 10**6}


@pytest.fixture
async def served(tmp_path: Path, redis: Redis, redis_url: str) -> AsyncIterator[Served]:
    """One bridge for all examples of a test, with limits out of the way (they have their own tests)."""
    async with running_bridge(tmp_path, redis, redis_url, widget=UNLIMITED) as bridge:
        yield bridge


@FUZZ
@given(body=BODY, path=st.sampled_from(["", "/messages", "/rating", "/escalate", "/close"]), raw=st.booleans())
async def test_random_bodies_get_documented_answers(served: Served, body: Any, path: str, raw: bool) -> None:
    async with served.client() as c:
        spec = (await c.get("/openapi.json")).json()
        chat = await served.start_chat(c)
        url = f"/api/v1/chats/{chat['chat_id']}{path}" if path else "/api/v1/chats"
        kwargs: dict[str, Any] = {"content": str(body).encode(), "headers": {"Content-Type": "application/json"}} \
            if raw else {"json": body}
        resp = await c.post(url, headers={**auth(chat), **kwargs.pop("headers", {})}, **kwargs)
    assert resp.status_code < 500, resp.text
    documented(spec, "post", "/api/v1/chats/{chat_id}" + path if path else "/api/v1/chats", resp)


@FUZZ
@given(after=st.text(max_size=30), fmt=st.text(max_size=6),
       attachment=st.text(min_size=1, max_size=30).filter(lambda a: a not in (".", "..")))
async def test_random_queries_get_documented_answers(served: Served, after: str, fmt: str, attachment: str) -> None:
    async with served.client() as c:
        spec = (await c.get("/openapi.json")).json()
        chat = await served.start_chat(c)
        base, h = f"/api/v1/chats/{chat['chat_id']}", auth(chat)
        answers = {
            "/api/v1/chats/{chat_id}/events": await c.get(f"{base}/events", params={"after": after}, headers=h),
            "/api/v1/chats/{chat_id}/transcript": await c.get(f"{base}/transcript", params={"format": fmt}, headers=h),
        }
        download = await c.get(f"{base}/attachments/{quote(attachment, safe='')}", headers=h)
    for path, resp in answers.items():
        assert resp.status_code < 500, resp.text
        documented(spec, "get", path, resp)
    assert download.status_code == 404, "no file was uploaded, and nothing outside the chat is reachable"
