"""Hostile input at every co-browse edge: answers, recorder frames, viewer links, cookies and sockets."""

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from adapters.widget.cobrowse.viewer import VIEWER_SOCKETS
from adapters.widget.socket import SUBPROTOCOL
from cobrowse.sessions import State
from tests.cobrowse.helpers import cobrowse_config, thread_says
from tests.widget.conftest import HOST_ORIGIN, Served, auth, running_bridge

META = {"type": 4, "timestamp": 1, "data": {"href": "http://x/", "width": 1, "height": 1}}


@pytest.fixture
async def served(tmp_path: Path, redis: Redis, redis_url: str) -> AsyncIterator[Served]:
    async with running_bridge(tmp_path, redis, redis_url, **cobrowse_config(frames_per_10s=10,
                                                                            max_frame_bytes=4096)) as s:
        yield s


async def active_chat(served: Served) -> tuple[dict[str, Any], str]:
    """A chat Alice has taken, with co-browse asked and allowed; returns it and the session id."""
    app = served.app
    async with served.client() as client:
        chat = await served.start_chat(client)
    chat_id = chat["chat_id"]
    alice = app.config.agent("alice")
    assert alice is not None
    await app.redis.hset(app.keys.chat(chat_id), mapping={"state": "active", "agent_id": "alice"})
    found = await app.chats.get(chat_id)
    assert found is not None
    session = await app.cobrowse.ask(found, alice)
    await app.cobrowse.answer(chat_id, session.sid, allow=True)
    return chat, session.sid


def customer_socket(served: Served, chat: dict[str, Any], token: str | None = None) -> connect:
    url = f"{served.ws_url}/api/v1/chats/{chat['chat_id']}/cobrowse/ws"
    return connect(url, origin=HOST_ORIGIN, proxy=None,  # type: ignore[arg-type]
                   subprotocols=[SUBPROTOCOL, f"token.{token or chat['token']}"])  # type: ignore[list-item]


async def test_answers_that_are_not_answers(served: Served) -> None:
    chat, sid = await active_chat(served)
    path = f"/api/v1/chats/{chat['chat_id']}/cobrowse"
    async with served.client() as client:
        assert (await client.get(path)).status_code == 401
        other = await served.start_chat(client)
        assert (await client.get(path, headers=auth(other))).status_code == 403, "another chat's token"
        for body in ({"sid": sid, "answer": "yes"}, {"sid": "x" * 41, "answer": "allow"},
                     {"sid": "a\u0000b", "answer": "stop"}, {"sid": sid, "answer": "allow", "extra": 1}):
            assert (await client.post(path, json=body, headers=auth(chat))).status_code == 422, body
        bad = await client.post(path, content=b"{" * 5000, headers={**auth(chat), "Content-Type": "application/json"})
        assert bad.status_code == 413
        assert (await client.post(path, json={"sid": "nope", "answer": "stop"}, headers=auth(chat))).status_code == 409
        state = (await client.get(path, headers=auth(chat))).json()
        assert state["state"] == "active" and state["privacy"]["mask_all_inputs"] is True
        assert "token" not in json.dumps(state)


async def test_frames_that_are_not_recorder_batches_end_the_session(served: Served) -> None:
    for frame in ("not json", json.dumps({"events": []}), json.dumps({"events": [{"type": "4"}]}),
                  json.dumps([1, 2]), json.dumps({"events": [META], "more": 1}), "[" * 3000,
                  json.dumps({"events": [META], "pad": "x" * 5000})):
        chat, sid = await active_chat(served)
        async with customer_socket(served, chat) as ws:
            await ws.send(frame)
            reply = json.loads(await ws.recv())
            assert reply["type"] == "end" and reply["reason"] in ("bad_frame", "page_too_big"), (frame[:40], reply)
        session = await served.app.cobrowse.sessions.current(chat["chat_id"])
        assert session is not None and session.state == State.ENDED
        assert await served.app.redis.xlen(served.app.keys.cobrowse_dom(sid)) <= 1


async def test_a_binary_frame_or_a_flood_is_cut_off(served: Served) -> None:
    chat, _ = await active_chat(served)
    async with customer_socket(served, chat) as ws:
        await ws.send(b"\x00\x01")
        assert json.loads(await ws.recv())["reason"] == "bad_frame"
    chat, _ = await active_chat(served)
    async with customer_socket(served, chat) as ws:
        with pytest.raises(ConnectionClosed):
            for _ in range(50):
                await ws.send(json.dumps({"events": [META]}))
            while True:
                reply = json.loads(await ws.recv())
                assert reply == {"type": "end", "reason": "too_fast"}
    await thread_says(served, chat["chat_id"], "cut off: the page changed faster")


async def test_no_recorder_socket_without_consent_or_token(served: Served) -> None:
    async with served.client() as client:
        chat = await served.start_chat(client)
    async with customer_socket(served, chat) as ws:  # nobody asked: nothing to send to
        assert json.loads(await ws.recv())["error"] == "cobrowse_not_running"
    active, _ = await active_chat(served)
    async with customer_socket(served, active, token=chat["token"]) as ws:  # another chat's token
        assert json.loads(await ws.recv())["error"] == "wrong_chat"


async def test_viewer_links_cookies_and_sockets_refuse_strangers(served: Served) -> None:
    chat, sid = await active_chat(served)
    async with served.client() as client:
        for token in ("x", "a" * 43, "a" * 5000, "%00" * 30, "..%2F..%2Fetc%2Fpasswd" * 3):
            resp = await client.get(f"/cobrowse/open/{token}")
            assert resp.status_code in (403, 404), token
            assert "set-cookie" not in resp.headers
        assert (await client.get(f"/cobrowse/view/{sid}")).status_code == 403
        client.cookies.set("csr_cobrowse", "forged" * 10)
        assert (await client.get(f"/cobrowse/view/{sid}")).status_code == 403
    link = await served.app.cobrowse.links.issue(sid, "alice")
    async with served.client() as client:
        opened = await client.get(f"/cobrowse/open/{link}")
        assert opened.status_code == 303 and opened.headers["location"] == f"/cobrowse/view/{sid}"
        cookie = opened.cookies["csr_cobrowse"]
        assert "HttpOnly" in opened.headers["set-cookie"] and "SameSite=strict" in opened.headers["set-cookie"]
        page = await client.get(f"/cobrowse/view/{sid}")
        assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
        assert (await client.get(f"/cobrowse/open/{link}")).status_code == 403, "a link works once"
    ws_url = f"{served.ws_url}/cobrowse/view/{sid}/ws"
    for origin, sent_cookie in ((HOST_ORIGIN, cookie), (served.url, "stolen" * 8), (served.url, "")):
        headers = {"Cookie": f"csr_cobrowse={sent_cookie}"} if sent_cookie else {}
        async with connect(ws_url, origin=origin, proxy=None, additional_headers=headers) as ws:  # type: ignore[arg-type]
            assert json.loads(await ws.recv())["error"] == "not_your_view"
    async with connect(ws_url + "?after=" + "9" * 50, origin=served.url, proxy=None,  # type: ignore[arg-type]
                       additional_headers={"Cookie": f"csr_cobrowse={cookie}"}) as ws:
        assert json.loads(await ws.recv()) == {"type": "reset"}, "a place that isn't there means a fresh snapshot"
        await served.app.cobrowse.stop(chat["chat_id"], "agent", by="alice")
        frames = [json.loads(m) async for m in ws]
        assert frames[-1]["type"] == "end"


def test_reports_count_the_sessions_customers_allowed() -> None:
    from bridge.domain.chat import Chat, Customer
    from bridge.domain.events import ChatEvent, EventKind
    from reports.figures import build_report
    from reports.period import period
    from reports.sources import history_of

    chat = Chat(id="c1", customer=Customer(name="Ann"), topic="question", queue="general", created_at=0)
    now = 1_700_000_000.0
    events = [ChatEvent(chat_id="c1", kind=EventKind.QUEUED, ts=now - 60, data={"queue": "general"}),
              ChatEvent(chat_id="c1", kind=EventKind.NOTICE, ts=now - 30, data={"cobrowse": "started"}, internal=True),
              ChatEvent(chat_id="c1", kind=EventKind.NOTICE, ts=now - 20, data={"cobrowse": "declined"}, internal=True)]
    report = build_report([history_of(chat, events, None)], period("7d", now, "UTC"), ["general"])
    assert report.total.counts["cobrowse"] == 1


async def test_a_bound_browser_cannot_open_viewer_sockets_without_end(served: Served) -> None:
    _, sid = await active_chat(served)
    token = await served.app.cobrowse.links.issue(sid, "alice")
    async with served.client() as client:
        cookie = (await client.get(f"/cobrowse/open/{token}")).cookies["csr_cobrowse"]
    url, headers = f"{served.ws_url}/cobrowse/view/{sid}/ws", {"Cookie": f"csr_cobrowse={cookie}"}
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(VIEWER_SOCKETS):
            ws = await stack.enter_async_context(connect(url, origin=served.url, proxy=None,  # type: ignore[arg-type]
                                                         additional_headers=headers))
            assert json.loads(await ws.recv()) == {"type": "reset"}
        async with connect(url, origin=served.url, proxy=None, additional_headers=headers) as extra:  # type: ignore[arg-type]
            assert json.loads(await extra.recv())["error"] == "too_many_sockets"
            with pytest.raises(ConnectionClosed) as closed:
                await extra.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4429
