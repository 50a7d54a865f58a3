"""/slack/events from outside: bad headers, bad bodies, big bodies, floods and replays.

Each is refused cheaply with a 4xx in the API's error shape, before bolt reads or logs the body; a
signed request runs once however often it is sent again inside Slack's 5-minute window.
"""

import asyncio
import hashlib
import hmac
import json
import logging
import time
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.slack import gate
from bridge.logs import configure_logging
from testkit.signed import FORM
from tests.slack.bridge import SECRET, InProcessBridge

CAP = 65_536
REFUSALS = 8
MARKER = "MARKER-7f3a"
FORGED = f"{MARKER} body\n2030-01-01T00:00:00Z [error ] forged line: admin logged in"


@pytest.fixture
def slack_settings() -> dict:
    return {"max_request_bytes": CAP, "refused_per_minute_per_address": REFUSALS}


def signed(body: str | bytes, timestamp: str | None = None) -> dict[str, str]:
    """Slack's signature by hand, so that bodies slack_sdk would not sign (not UTF-8) can be signed too."""
    ts = timestamp or str(int(time.time()))
    raw = body if isinstance(body, bytes) else body.encode()
    return {"X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": "v0=" + hmac.new(SECRET.encode(), b"v0:" + ts.encode() + b":" + raw,
                                                  hashlib.sha256).hexdigest()}


async def post(bridge: InProcessBridge, content: bytes, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(f"{bridge.url}/slack/events", content=content, headers=headers)


def no_traceback_or_body(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        assert MARKER not in record.getMessage(), record.getMessage()
        assert record.exc_info is None, record.getMessage()
        assert "\n" not in record.getMessage(), record.getMessage()


UNSIGNED = [
    ("no headers", {}),
    ("a timestamp that is not a number", {"X-Slack-Request-Timestamp": "now", "X-Slack-Signature": "v0=" + "0" * 64}),
    ("a timestamp in exponent form", {"X-Slack-Request-Timestamp": "1.7e9", "X-Slack-Signature": "v0=" + "0" * 64}),
    ("a timestamp of 400 digits", {"X-Slack-Request-Timestamp": "9" * 400, "X-Slack-Signature": "v0=" + "0" * 64}),
    ("a signature that is not hex", {"X-Slack-Signature": "v0=" + "z" * 64}),
    ("a signature of the wrong length", {"X-Slack-Signature": "v0=00"}),
    ("a forged signature", {"X-Slack-Signature": "v0=" + "1" * 64}),
]


@pytest.mark.parametrize(("case", "headers"), UNSIGNED, ids=[c for c, _ in UNSIGNED])
async def test_unsigned_requests_get_401_and_log_no_body(bridge: InProcessBridge, caplog: pytest.LogCaptureFixture,
                                                          case: str, headers: dict[str, str]) -> None:
    caplog.set_level(logging.DEBUG)
    body = json.dumps({"type": "event_callback", "event_id": "EvForged", "event": {"type": "app_home_opened",
                                                                                    "user": "UALICE", "x": FORGED}})
    ts = {"X-Slack-Request-Timestamp": str(int(time.time()))}
    response = await post(bridge, body.encode(), {"Content-Type": "application/json", **ts, **headers})
    await bridge.settle()
    assert response.status_code == 401, response.text
    assert response.json()["error"] in {"invalid_signature", "stale_request"}
    assert bridge.fake.homes == {}
    no_traceback_or_body(caplog)


async def test_a_signature_header_with_latin_1_bytes_gets_401(bridge: InProcessBridge) -> None:
    """hmac.compare_digest raises on non-ASCII text, which bolt would have turned into a 500."""
    body = b'{"type": "event_callback"}'
    headers = [(b"content-type", b"application/json"), (b"x-slack-request-timestamp", str(int(time.time())).encode()),
               (b"x-slack-signature", b"v0=" + b"\xe9" * 64)]
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(f"{bridge.url}/slack/events", content=body, headers=headers)
    assert response.status_code == 401


MALFORMED = [
    ("text sent as JSON", "not json at all", "application/json"),
    ("a JSON array", "[1, 2]", "application/json"),
    ("a JSON string", '"event_callback"', "application/json"),
    ("deeply nested JSON", "[" * 30_000 + "]" * 30_000, "application/json"),
    ("a payload that is not JSON", urlencode({"payload": "{not json"}), FORM),
    ("a payload that is a JSON array", urlencode({"payload": "[]"}), FORM),
    ("a payload of null", urlencode({"payload": "null"}), FORM),
    ("a JSON number", "12", "application/json"),
    ("a body that is not UTF-8", b"payload=\xff\xfe", FORM),
    ("a NUL inside a JSON string", '{"type": "event_callback", "x": "a\x00b"}', "application/json"),
]


@pytest.mark.parametrize(("case", "body", "content_type"), MALFORMED, ids=[c for c, _, _ in MALFORMED])
async def test_signed_malformed_bodies_get_400_not_500(bridge: InProcessBridge, caplog: pytest.LogCaptureFixture,
                                                       case: str, body: str | bytes, content_type: str) -> None:
    caplog.set_level(logging.DEBUG)
    raw = body if isinstance(body, bytes) else body.encode()
    response = await post(bridge, raw, {"Content-Type": content_type, **signed(raw)})
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "malformed_body"
    assert all(r.exc_info is None for r in caplog.records)


async def test_a_body_over_the_cap_gets_413_without_being_read(bridge: InProcessBridge) -> None:
    """A 100 MB Content-Length is answered at once: the test sends 100 bytes of it and waits for the answer."""
    status, sent = await raw_post(bridge, {"Content-Length": str(100 * 1024 * 1024)}, chunked=False)
    assert status == 413
    assert sent < CAP


async def test_a_body_of_exactly_the_cap_is_read_and_one_byte_more_is_not(bridge: InProcessBridge) -> None:
    at_cap = json.dumps({"type": "event_callback", "pad": ""}).encode()
    at_cap = at_cap[:-2] + b" " * (CAP - len(at_cap)) + at_cap[-2:]
    over = at_cap + b" "
    assert len(at_cap) == CAP
    read = await post(bridge, at_cap, {"Content-Type": "application/json", **signed(at_cap)})
    refused = await post(bridge, over, {"Content-Type": "application/json", **signed(over)})
    assert read.status_code != 413
    assert refused.status_code == 413 and refused.json()["error"] == "request_too_large"


async def test_a_timestamp_from_the_future_is_refused(bridge: InProcessBridge) -> None:
    body = bridge.sender.command_body("UALICE", "status")
    response = await bridge.sender.send(body, FORM, timestamp=int(time.time()) + 400)
    await bridge.settle()
    assert response.status_code == 401 and response.json()["error"] == "stale_request"
    assert bridge.fake.hooks == []


async def test_a_chunked_body_is_cut_off_at_the_cap(bridge: InProcessBridge) -> None:
    status, sent = await raw_post(bridge, {"Transfer-Encoding": "chunked"}, chunked=True)
    assert status == 413
    assert sent < 4 * CAP, f"{sent} bytes were read before the 413"


async def test_a_body_that_trickles_in_gets_408(bridge: InProcessBridge, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gate, "READ_SECONDS", 0.5)
    url = urlsplit(bridge.url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    head = {"Host": url.netloc, "Content-Type": "application/json", "Content-Length": "1000", **signed("{}")}
    writer.write(("POST /slack/events HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in head.items())
                  + "\r\n{").encode())
    try:
        async with asyncio.timeout(5):
            status_line = await reader.readline()
    finally:
        writer.close()
    assert int(status_line.split()[1]) == 408


async def raw_post(bridge: InProcessBridge, headers: dict[str, str], chunked: bool) -> tuple[int, int]:
    """Sends a body that never ends, 1 KiB at a time, until the bridge answers; (status, bytes sent)."""
    url = urlsplit(bridge.url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    head = {"Host": url.netloc, "Content-Type": "application/json", **signed("{}"), **headers}
    writer.write(("POST /slack/events HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in head.items())
                  + "\r\n").encode())
    sent, chunk = 0, b"{" + b" " * 1023
    answer = asyncio.ensure_future(reader.readline())
    try:
        async with asyncio.timeout(10):
            while not answer.done() and sent < 100 * 1024 * 1024:
                try:
                    writer.write(b"400\r\n" + chunk + b"\r\n" if chunked else chunk)
                    await writer.drain()
                except ConnectionError:  # the bridge answered and hung up
                    break
                sent += len(chunk)
                await asyncio.sleep(0.001)
            status_line = await answer
    finally:
        writer.close()
    return int(status_line.split()[1]), sent


async def test_an_address_with_many_refusals_gets_429_but_signed_requests_still_run(
        bridge: InProcessBridge) -> None:
    for _ in range(3 * REFUSALS):
        assert (await bridge.sender.command("UALICE", "help")).status_code == 200
    refused = [await bridge.sender.command("UALICE", "help", signature="v0=" + "2" * 64) for _ in range(REFUSALS)]
    assert {r.status_code for r in refused} == {401}
    flood = await post(bridge, b"x" * (2 * CAP), {"Content-Type": "application/json", **signed(b"x")})
    assert flood.status_code == 429
    assert int(flood.headers["Retry-After"]) > 0
    assert flood.json()["error"] == "rate_limited"
    unsigned = await bridge.sender.command("UALICE", "help", signature="v0=" + "3" * 64)
    assert unsigned.status_code == 429
    signed_still = await bridge.sender.command("UALICE", "help")
    assert signed_still.status_code == 200, "Slack shares the address (a proxy): it must not be locked out"
    await bridge.settle()
    assert len(bridge.fake.hooks) == 3 * REFUSALS + 1


async def test_bolt_itself_logs_no_request_body(bridge: InProcessBridge, caplog: pytest.LogCaptureFixture) -> None:
    """Past the gate too: a request bolt refuses (here handed to it directly) leaves no trace of its body."""
    caplog.set_level(logging.DEBUG)
    request = AsyncBoltRequest(body=json.dumps({"type": "event_callback", "text": FORGED}),
                               headers={"content-type": "application/json", "x-slack-signature": "v0=00",
                                        "x-slack-request-timestamp": str(int(time.time()))})
    response = await bridge.slack.bolt.async_dispatch(request)
    assert response.status == 401
    assert any("signature" in r.getMessage() for r in caplog.records), "bolt said nothing: the test saw nothing"
    no_traceback_or_body(caplog)


async def test_a_replayed_slash_command_runs_once(bridge: InProcessBridge) -> None:
    body, ts = bridge.sender.command_body("UALICE", "status"), int(time.time())
    first = await bridge.sender.send(body, FORM, timestamp=ts)
    again = await asyncio.gather(*[bridge.sender.send(body, FORM, timestamp=ts) for _ in range(5)])
    await bridge.settle()
    assert first.status_code == 200
    assert {r.status_code for r in again} == {401}
    assert {r.json()["error"] for r in again} == {"replayed_request"}
    assert len(bridge.fake.hooks) == 1


async def test_replays_sent_at_once_run_once(bridge: InProcessBridge) -> None:
    body, ts = bridge.sender.command_body("UALICE", "status"), int(time.time())
    answers = await asyncio.gather(*[bridge.sender.send(body, FORM, timestamp=ts) for _ in range(6)])
    await bridge.settle()
    assert sorted(r.status_code for r in answers) == [200, 401, 401, 401, 401, 401]
    assert len(bridge.fake.hooks) == 1


async def test_a_replayed_button_and_event_run_once(bridge: InProcessBridge) -> None:
    payload = {"type": "block_actions", "team": {"id": "TFAKE"}, "user": {"id": "UALICE"}, "api_app_id": "AFAKE",
               "trigger_id": bridge.sender.trigger(), "channel": {"id": "DUALICE"},
               "container": {"type": "message", "message_ts": "1.1", "channel_id": "DUALICE"},
               "message": {"ts": "1.1"}, "response_url": bridge.fake.response_url(),
               "actions": [{"type": "button", "action_id": "csr_run", "block_id": "b", "value": "csr status",
                            "action_ts": "1.2"}]}
    button, ts = urlencode({"payload": json.dumps(payload)}), int(time.time())
    event = json.dumps({"token": "legacy", "team_id": "TFAKE", "api_app_id": "AFAKE", "type": "event_callback",
                        "event_id": "EvReplayed", "event_time": ts,
                        "event": {"type": "app_home_opened", "user": "UALICE", "tab": "home"}})
    for _ in range(3):
        await bridge.sender.send(button, FORM, timestamp=ts)
        await bridge.sender.send(event, "application/json", timestamp=ts)
    await bridge.settle()
    assert len(bridge.fake.hooks) == 1
    assert len(bridge.fake.calls_to("views.publish")) == 1


async def test_a_commands_response_url_never_reaches_the_log(bridge: InProcessBridge,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """A response_url lets anyone answer the CSR for 30 minutes: slack_sdk logs it (at debug, and at info when
    it retries), so its loggers stay at warning even when the bridge logs at debug."""
    configure_logging("text", "debug")
    try:
        await bridge.sender.command("UALICE", "help")
        await bridge.settle()
    finally:
        configure_logging("text", "warning")
    [hook] = bridge.fake.hooks
    err = capsys.readouterr().err
    assert "[debug" in err, "nothing was logged at debug: the test saw nothing"
    assert f"/hooks/{hook['key']}" not in err
