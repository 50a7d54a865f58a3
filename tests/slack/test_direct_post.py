"""The hot path's chat.postMessage without the SDK's wrapper: on the wire it is the SDK's request, and every
answer (ok, ok:false, 429, a proxy's 5xx) reaches the caller as the SDK would hand it over."""

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.direct_post import DirectPost
from adapters.slack.pacing import ChannelPacer
from adapters.slack.problems import slack_errors
from adapters.slack.webapi import SlackCalls, is_transient, retry_after
from bridge.app import BridgeApp
from testkit.fake_slack import FakeSlack

WIRE_HEADERS = ("Authorization", "Content-Type", "User-Agent", "X-Custom")


@dataclass
class Recorder:
    """A Web API stand-in that keeps each request as it arrived and answers what the test sets."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    answer: tuple[int, bytes, dict[str, str]] = (200, b'{"ok": true, "ts": "1.000100"}', {})

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append({"path": request.path, "headers": {h: request.headers.get(h) for h in WIRE_HEADERS},
                              "body": json.loads(await request.read())})
        status, body, headers = self.answer
        return web.Response(status=status, body=body, headers={"Content-Type": "application/json", **headers})


@pytest.fixture
async def recorder() -> AsyncIterator[tuple[Recorder, AsyncWebClient]]:
    rec = Recorder()
    server = web.Application()
    server.router.add_post("/api/{method}", rec.handle)
    runner = web.AppRunner(server)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    client = AsyncWebClient(token="xoxb-recorded", base_url=f"http://127.0.0.1:{port}/api/",
                            headers={"X-Custom": "kept"})
    client.session = aiohttp.ClientSession()
    yield rec, client
    await client.session.close()
    await runner.cleanup()


FIELDS: dict[str, Any] = {
    "channel": "C1", "thread_ts": "1.000001", "text": "where is my order? 😀 \u2028 a\x00b \ud800",
    "username": "Ana (customer)", "icon_url": "http://127.0.0.1/a.png", "unfurl_links": False,
    "unfurl_media": False, "blocks": None,
    "metadata": {"event_type": "csr_bridge_post", "event_payload": {"chat": "c1", "first": "1-0", "last": "1-0"}}}


async def test_the_request_is_the_sdks_request(recorder: tuple[Recorder, AsyncWebClient]) -> None:
    rec, client = recorder
    by_sdk = await client.chat_postMessage(**FIELDS)
    direct = await DirectPost(client)(**FIELDS)
    sdk_request, direct_request = rec.requests
    assert direct_request == sdk_request
    assert "blocks" not in direct_request["body"], "None values are left out, as the SDK leaves them"
    assert direct_request["body"]["text"].endswith("\ud800"), "a lone surrogate travels escaped, not refused"
    assert (direct.data, direct.status_code, direct["ts"]) == (by_sdk.data, by_sdk.status_code, "1.000100")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=300), name=st.text(max_size=40))
async def test_any_text_reaches_slack_as_the_sdk_sends_it(recorder: tuple[Recorder, AsyncWebClient], text: str,
                                                          name: str) -> None:
    rec, client = recorder
    rec.requests.clear()
    await client.chat_postMessage(channel="C1", text=text, username=name)
    await DirectPost(client)(channel="C1", text=text, username=name)
    assert rec.requests[0] == rec.requests[1]


@pytest.mark.parametrize(("status", "body", "headers", "error", "transient", "wait"), [
    (200, b'{"ok": false, "error": "channel_not_found"}', {}, "channel_not_found", False, None),
    (200, b'{"ok": false, "error": "internal_error"}', {}, "internal_error", True, None),
    (429, b'{"ok": false, "error": "ratelimited"}', {"Retry-After": "7"}, "ratelimited", True, 7.0),
    (502, b"<html>Bad Gateway</html>", {}, None, True, None),
    (200, b"", {}, None, False, None),
    (200, b"\xff\xfe not json", {}, None, False, None),
    (200, b"[1, 2]", {}, None, False, None),
])
async def test_every_refusal_is_the_sdks_error(recorder: tuple[Recorder, AsyncWebClient], status: int, body: bytes,
                                               headers: dict[str, str], error: str | None, transient: bool,
                                               wait: float | None) -> None:
    rec, client = recorder
    rec.answer = (status, body, headers)
    with pytest.raises(SlackApiError) as raised:
        await DirectPost(client)(channel="C1", text="hello")
    assert raised.value.response.status_code == status
    assert raised.value.response.get("error") == error
    assert (is_transient(raised.value), retry_after(raised.value)) == (transient, wait)


async def test_without_an_open_session_the_sdk_posts(fake_slack: FakeSlack) -> None:
    client = AsyncWebClient(token=fake_slack.bot_token, base_url=fake_slack.api_url)
    posted = await DirectPost(client)(channel="CGENERAL", text="no session yet")
    assert posted["ok"] and [m["text"] for m in fake_slack.messages["CGENERAL"]] == ["no session yet"]


async def test_the_door_retries_a_direct_post_after_429(app: BridgeApp, fake_slack: FakeSlack) -> None:
    client = AsyncWebClient(token=fake_slack.bot_token, base_url=fake_slack.api_url)
    client.session = aiohttp.ClientSession()
    try:
        calls = SlackCalls(client, ChannelPacer(20.0, 4), slack_errors(app.redis, app.keys), app.metrics)
        fake_slack.rate_limit("chat.postMessage", retry_after=1)
        await calls.call("chat.postMessage", lambda: calls.direct_post(channel="CGENERAL", text="after the wait"),
                         "CGENERAL", paced=True)
    finally:
        await client.session.close()
    limited, posted = fake_slack.calls_to("chat.postMessage")
    assert (limited.status, posted.ok, posted.at - limited.at >= 1.0) == (429, True, True)
    assert [m["text"] for m in fake_slack.messages["CGENERAL"]] == ["after the wait"]
