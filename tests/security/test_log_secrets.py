"""No log line, at any level, carries a session token, a signing secret or a platform credential.

An outside probe read chat tokens in the log: uvicorn writes every WebSocket handshake at info level with
its URL (`"WebSocket /api/v1/chats/ID/ws?token=..." [accepted]`). widget.js now offers the token as a
subprotocol, and every log line passes a redactor on its way out, whoever wrote it.
"""

import asyncio
import json
import logging
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from bridge.identity import user_hash
from bridge.logs import REDACTED, Redactor, configure_logging
from testkit.fake_slack import FakeSlack
from testkit.signed import SlackSender
from tests.security.live_serve import live_serve
from tests.slack.bridge import CHANNELS, SUPERVISORS, slack_overrides
from tests.widget.conftest import HOST_ORIGIN

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
BOT_TOKEN = "xoxb-2222-3333-LiveBotTokenValue"
SIGNING_SECRET = "5f1e2d3c4b5a69788796a5b4c3d2e1f0"
SECRETS = {
    "widget": {"signing_key": "widget-key-7Hq2LmX0pZr4NbVc", "identity_secret": "identity-secret-Qw3Er5Ty7Ui9Op"},
    "slack": {"bot_token": "xoxb-1111-2222-AbCdEfGhIjKlMnOp", "signing_secret": "8f742231b10e8888abcd99aaa5ef85a5",
              "app_token": "xapp-1-A0001-2222-ffffeeee"},
    "matrix": {"password": "correct horse battery staple", "access_token": "syt_Ym90_QWxsVGhlV2F5RG93bg_0a1b2c"},
}


async def _customer_session(url: str, ws_url: str) -> list[str]:
    """Everything a widget does in a chat, plus the legacy and refused ways in; returns the tokens it held."""
    async with httpx.AsyncClient(base_url=url, headers={"Origin": HOST_ORIGIN}, timeout=10, trust_env=False) as c:
        started = await c.post("/api/v1/chats", json={"name": "Ann", "topic": "question", "message": "hello"})
        other = await c.post("/api/v1/chats", json={"name": "Bob", "topic": "question"})
        identity = {"user_id": "u-1", "user_hash": user_hash(SECRETS["widget"]["identity_secret"], "u-1")}
        assert (await c.post("/api/v1/chats", json={"name": "Eve", "identity": identity})).status_code == 201
        forged = {**identity, "user_id": "u-2"}
        assert (await c.post("/api/v1/chats", json={"name": "Eve", "identity": forged})).status_code == 403
        chat, bob = started.json(), other.json()
        cid, token, bearer = chat["chat_id"], chat["token"], {"Authorization": f"Bearer {chat['token']}"}
        up = await c.post(f"/api/v1/chats/{cid}/attachments", headers=bearer,
                          files={"file": ("a.png", PNG, "image/png")})
        file_url = up.json()["event"]["attachments"][0]["url"]
        assert (await c.get(file_url, params={"token": token})).status_code == 200
        assert (await c.get(f"/api/v1/chats/{cid}/events", params={"token": token})).status_code == 200
        assert (await c.get(f"/api/v1/chats/{cid}/transcript", params={"token": token})).status_code == 200
        assert (await c.get(f"/api/v1/chats/{bob['chat_id']}", params={"token": token})).status_code == 403
        base = f"{ws_url}/api/v1/chats/{cid}/ws"
        async with connect(f"{base}?after=0", origin=HOST_ORIGIN, proxy=None,  # type: ignore[arg-type]
                           subprotocols=["csr-bridge.v1", f"token.{token}"]) as ws:  # type: ignore[list-item]
            assert ws.subprotocol == "csr-bridge.v1"
            await ws.send(json.dumps({"type": "message", "text": "over the socket", "client_msg_id": "m1"}))
            async with asyncio.timeout(10):
                while json.loads(await ws.recv())["type"] != "ack":
                    pass
        async with connect(f"{base}?token={token}&after=0", origin=HOST_ORIGIN, proxy=None) as ws:  # legacy form
            assert json.loads(await ws.recv())["type"] == "event"
        with pytest.raises(InvalidStatus):
            async with connect(f"{base}?token={token}", origin="https://elsewhere.example", proxy=None):
                pass
        await c.post(f"/api/v1/chats/{cid}/close", headers=bearer)
    return [token, bob["token"]]


async def test_a_whole_widget_session_leaves_no_token_or_secret_in_the_log(tmp_path: Path, redis_url: str,
                                                                          redis: object) -> None:
    async with live_serve(tmp_path, redis_url, server={"log_level": "debug"}, **SECRETS) as serve:
        tokens = await _customer_session(serve.url, serve.ws_url)
    out = serve.output()
    assert "WebSocket /api/v1/chats/" in out and "[accepted]" in out, "the handshakes were logged"
    assert f"token={REDACTED}" in out, "the legacy handshake's line is there, redacted"
    leaked = [t for t in tokens if t in out]
    assert not leaked, f"session tokens in the log: {[line for line in out.splitlines() if leaked[0] in line]}"
    values = [v for section in SECRETS.values() for v in section.values()]
    assert [v for v in values if v in out] == []


def test_the_redactor_takes_out_credentials_and_leaves_the_rest() -> None:
    redact = Redactor(["8f742231b10e8888abcd99aaa5ef85a5", 'pa"ss\\word-long', "short"])
    token = "eyJjIjoiazNmOWFiY2RlZmdoIn0.aQ1bCw.Xk3p9T2vQ8mZr4LwN0bYc7dEfGh"
    cases = {
        f'"WebSocket /api/v1/chats/k3f9/ws?token={token}&after=0" [accepted]':
            f'"WebSocket /api/v1/chats/k3f9/ws?token={REDACTED}&after=0" [accepted]',
        f"< Sec-WebSocket-Protocol: csr-bridge.v1, token.{token}": f"< Sec-WebSocket-Protocol: csr-bridge.v1, "
                                                                    f"token.{REDACTED}",
        f"Authorization: Bearer {token}": f"Authorization: Bearer {REDACTED}",
        f"invalid token {token} seen": f"invalid token {REDACTED} seen",
        "slack said invalid_auth for xoxb-1111-2222-AbCdEfGhIjKlMnOp": f"slack said invalid_auth for {REDACTED}",
        "app token xapp-1-A0001-2222-ffffeeee": f"app token {REDACTED}",
        "matrix GET /sync?access_token=syt_Ym90_QWxs_0a1b2c&since=s1": f"matrix GET /sync?access_token={REDACTED}"
                                                                      "&since=s1",
        "login gave syt_Ym90_QWxsVGhlV2F5RG93bg_0a1b2c": f"login gave {REDACTED}",
        "signing secret 8f742231b10e8888abcd99aaa5ef85a5 refused": f"signing secret {REDACTED} refused",
        '{"event": "pw pa\\"ss\\\\word-long"}': f'{{"event": "pw {REDACTED}"}}',
        "key Vt3kQ9xLmZ0pR7sW2yB5nC8dF1gH4jK6aE0uI3oP9qTz": f"key {REDACTED}",
    }
    assert {line: redact(line) for line in cases} == cases
    kept = ["chat k3f9 accepted by alice", "short words stay", "adapters.widget.socket.ChatSocket.endpoint",
            "transcripts.jobs.archive_closed_chat_now('k3f9')", "event 1712345678901-0 delivered to slack:C1/1.0",
            'File "/work/wt/widget/adapters/widget/socket.py", line 61, in endpoint', "GET /api/v1/config 200",
            "sha256 0f343b0931126a20f133d67c2b018a3b5b9dd0d8", "https://example.com/a/b?page=2&q=shoes"]
    assert [redact(line) for line in kept] == kept


def _log_everything(token: str) -> None:
    logging.getLogger("uvicorn.error").debug("< GET /ws?token=%s HTTP/1.1", token)
    logging.getLogger("uvicorn.error").info('%s - "WebSocket %s" [accepted]', "10.0.0.1:5", f"/ws?token={token}")
    logging.getLogger("bridge.x").warning('sent "Bearer %s"', token)
    try:
        raise ValueError(f"bad password hunter2-hunter2 for {token}")
    except ValueError:
        logging.getLogger("bridge.x").exception("failed")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_the_configured_handler_redacts_records_of_any_logger_and_level(capsys: pytest.CaptureFixture[str],
                                                                        fmt: str) -> None:
    token = "eyJjIjoiazNmOWFiY2RlZmdoIn0.aQ1bCw.Xk3p9T2vQ8mZr4LwN0bYc7dEfGh"
    configure_logging(fmt, "debug", secrets=["hunter2-hunter2"])
    _log_everything(token)
    configure_logging("text", "warning")
    err = capsys.readouterr().err
    assert "hunter2-hunter2" not in err and token not in err
    assert err.count(REDACTED) >= 5 and "ValueError" in err
    if fmt == "json":  # a redacted value ending before an escaped quote must not take the backslash with it
        events = [json.loads(line)["event"] for line in err.splitlines()]
        assert f'"WebSocket /ws?token={REDACTED}" [accepted]' in "\n".join(events)


@pytest.mark.timeout(5)
def test_a_long_line_is_redacted_in_linear_time() -> None:
    """Found attacking the redactor: matched from inside a long base64 run, a shape took 40 s on 200 kB (any
    text a client gets into a log line would stall the logging thread)."""
    redact = Redactor(["some-configured-secret"])
    for line in ("x" * 200_000, "Ab1-" * 50_000, "eyJ" * 30_000 + "." + "x" * 30_000, "abcdefghij." * 20_000):
        assert redact(line)


async def test_a_slack_chat_at_debug_level_leaves_no_slack_credential_in_the_log(tmp_path: Path, redis_url: str,
                                                                               redis: object) -> None:
    """The Slack side too: commands, an offer accepted, replies both ways, and a revoked token logged loudly."""
    async with FakeSlack(channels=(*CHANNELS.values(), SUPERVISORS), bot_token=BOT_TOKEN, post_rate=50.0) as fake:
        slack = slack_overrides(fake)["slack"] | {"signing_secret": SIGNING_SECRET, "messages_per_second": 50.0}
        async with live_serve(tmp_path, redis_url, server={"log_level": "debug"}, slack=slack) as serve:
            sender = SlackSender(f"{serve.url}/slack/events", SIGNING_SECRET, fake)
            assert (await sender.command("UALICE", "available")).status_code == 200
            async with httpx.AsyncClient(base_url=serve.url, headers={"Origin": HOST_ORIGIN}, timeout=10,
                                         trust_env=False) as c:
                chat = (await c.post("/api/v1/chats", json={"name": "Ann", "message": "where is my order?"})).json()
                bearer = {"Authorization": f"Bearer {chat['token']}"}
                await c.post(f"/api/v1/chats/{chat['chat_id']}/escalate", headers=bearer)
                card = await fake.wait_for(lambda: next((m for m in fake.messages.get("DUALICE", [])
                                                         if "offer_accept" in json.dumps(m.get("blocks"))), None))
                accept = next(e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]
                              if e["action_id"] == "offer_accept")
                await sender.block_action("UALICE", "offer_accept", accept["value"], channel="DUALICE", message=card)
                root = await fake.wait_for(lambda: next((m["ts"] for m in fake.messages[CHANNELS["general"]]
                                                         if m["thread_ts"] is None), None))
                await sender.thread_reply("UALICE", CHANNELS["general"], root, "on its way")
                fake.fail("chat.postMessage", "invalid_auth", times=3)  # a revoked token, logged loudly
                await c.post(f"/api/v1/chats/{chat['chat_id']}/messages", headers=bearer, json={"text": "thanks"})
                await fake.wait_for(lambda: fake.calls_to("chat.postMessage", ok=False))
                await asyncio.sleep(0.5)
    out = serve.output()
    assert "invalid_auth" in out, "the refusal was logged"
    assert [s for s in (BOT_TOKEN, SIGNING_SECRET, chat["token"]) if s in out] == []
