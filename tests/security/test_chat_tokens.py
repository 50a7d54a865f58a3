"""A chat's session token opens that chat and nothing else: every widget route and the WebSocket refuse a
token of another chat (403), a forged or missing one (401), and the other chat is left exactly as it was."""

import asyncio
import json
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from adapters.widget.tokens import SessionTokens
from tests.security.state import redis_state
from tests.widget.conftest import HOST_ORIGIN, Served, auth, served  # noqa: F401 - the fixture

SECRET = "only-for-bens-eyes"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def _request(method: str, path: str, attachment_id: str) -> dict[str, Any]:
    """What each route is sent: a body it would accept from the chat's own customer."""
    bodies: dict[str, dict[str, Any]] = {
        "/messages": {"json": {"text": "intrusion", "client_msg_id": "x1"}},
        "/rating": {"json": {"score": 1, "comment": "intrusion"}},
        "/attachments": {"files": {"file": ("a.png", PNG, "image/png")}},
    }
    tail = path.removeprefix("/api/v1/chats/{chat_id}")
    return {"method": method.upper(), "tail": tail.replace("{attachment_id}", attachment_id),
            **(bodies.get(tail, {}) if method == "post" else {})}


async def _two_chats(bridge: Served, c: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, Any], str]:
    ann = await bridge.start_chat(c, name="Ann", message="hello")
    ben = await bridge.start_chat(c, name="Ben", message=SECRET)
    up = await c.post(f"/api/v1/chats/{ben['chat_id']}/attachments", headers=auth(ben),
                      files={"file": ("ben.png", PNG, "image/png")})
    assert up.status_code == 201, up.text
    return ann, ben, up.json()["event"]["attachments"][0]["id"]


async def test_every_route_refuses_a_token_of_another_chat(served: Served) -> None:  # noqa: F811 - imported fixture
    forged = SessionTokens("some-other-key-0123456789", 3600)
    async with served.client() as c:
        spec = (await c.get("/openapi.json")).json()
        ann, ben, ben_file = await _two_chats(served, c)
        routes = [(m, p) for p, ops in spec["paths"].items() for m in ops
                  if "{chat_id}" in p and not p.endswith("/ws")]
        assert len(routes) >= 9, routes
        before = await redis_state(served.app.redis)
        answers: dict[tuple[str, str, str], httpx.Response] = {}
        for method, path in routes:
            req = _request(method, path, ben_file)
            url = f"/api/v1/chats/{ben['chat_id']}{req.pop('tail')}"
            verb = req.pop("method")
            for name, token in (("ann's", ann["token"]), ("forged", forged.issue(ben["chat_id"]).token),
                                ("garbled", ann["token"][:-3] + "abc"), ("none", "")):
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                answers[(path, verb, name)] = await c.request(verb, url, headers=headers, **req)
                if token:
                    answers[(path, verb, name + " in query")] = await c.request(verb, url, params={"token": token},
                                                                                 **req)
        after = await redis_state(served.app.redis)
    for (path, verb, name), resp in answers.items():
        expected = 403 if name.startswith("ann's") else 401
        assert resp.status_code == expected, (verb, path, name, resp.status_code, resp.text)
        assert SECRET not in resp.text and "Ben" not in resp.text
    assert after == before, "a refused request changed nothing"
    ben_dir = served.app.config.data_path / "attachments" / ben["chat_id"]
    assert len(list(ben_dir.iterdir())) == 2, "Ben's own file (and its metadata) only"


@pytest.mark.parametrize("how", ["query", "header", "subprotocol"])
async def test_the_websocket_refuses_a_token_of_another_chat(served: Served, how: str) -> None:  # noqa: F811 - imported fixture
    async with served.client() as c:
        ann, ben, _ = await _two_chats(served, c)
    before = await redis_state(served.app.redis)
    url = f"{served.ws_url}/api/v1/chats/{ben['chat_id']}/ws"
    kwargs: dict[str, Any] = {"origin": HOST_ORIGIN, "proxy": None}
    if how == "query":
        url += f"?token={ann['token']}"
    elif how == "subprotocol":
        kwargs["subprotocols"] = ["csr-bridge.v1", f"token.{ann['token']}"]
    else:
        kwargs["additional_headers"] = auth(ann)
    seen: list[dict[str, Any]] = []
    async with connect(url, **kwargs) as ws:
        with pytest.raises(ConnectionClosed):
            async with asyncio.timeout(10):
                while True:
                    seen.append(json.loads(await ws.recv()))
        with pytest.raises(ConnectionClosed):
            await ws.send(json.dumps({"type": "message", "text": "intrusion", "client_msg_id": "x2"}))
    assert ws.close_code == 4403
    assert [f["type"] for f in seen] == ["error"] and seen[0]["error"] == "wrong_chat"
    assert await redis_state(served.app.redis) == before


async def test_a_socket_carries_only_its_own_chat(served: Served) -> None:  # noqa: F811 - imported fixture
    async with served.client() as c:
        ann, ben, _ = await _two_chats(served, c)
    url = f"{served.ws_url}/api/v1/chats/{ann['chat_id']}/ws?token={ann['token']}"
    async with connect(url, origin=HOST_ORIGIN, proxy=None) as ws:
        await served.app.service.customer_message(ben["chat_id"], "ben again " + SECRET)
        await served.app.service.customer_message(ann["chat_id"], "ann again")
        texts: list[str] = []
        async with asyncio.timeout(10):
            while "ann again" not in texts:
                frame = json.loads(await ws.recv())
                if frame["type"] == "event":
                    texts.append(frame["event"]["text"])
    assert texts == ["hello", "ann again"]
