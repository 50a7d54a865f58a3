"""/openapi.json documents every route, and what the live service answers matches what it documents."""

from typing import Any

import httpx
from jsonschema import Draft202012Validator
from starlette.routing import Mount, Route, WebSocketRoute

from tests.widget.conftest import Served, auth

Spec = dict[str, Any]


def documented(spec: Spec, method: str, path: str, resp: httpx.Response) -> None:
    """The status is listed for the operation, and a JSON body fits the schema given for it."""
    op = spec["paths"][path][method]
    doc = op["responses"].get(str(resp.status_code))
    assert doc is not None, f"{method.upper()} {path} answered {resp.status_code}, which is not documented"
    if "$ref" in doc:
        doc = spec["components"]["responses"][doc["$ref"].rsplit("/", 1)[-1]]
    for header in doc.get("headers", {}):
        assert header.lower() in resp.headers
    media = resp.headers.get("content-type", "").split(";")[0]
    content = doc.get("content", {})
    assert media in content or "*/*" in content, f"{method.upper()} {path}: {media} is not documented"
    if media == "application/json" and media in content:
        schema = {**content[media]["schema"], "components": spec["components"]}
        errors = sorted(Draft202012Validator(schema).iter_errors(resp.json()), key=str)
        assert not errors, f"{method.upper()} {path} {resp.status_code}: {errors[0].message}"


async def test_every_route_is_described(served: Served) -> None:
    async with served.client() as c:
        spec = (await c.get("/openapi.json")).json()
    served_routes: set[tuple[str, str]] = set()
    for route in served.widget.routes():
        if isinstance(route, Mount):
            for inner in route.routes:
                methods = {"get"} if isinstance(inner, WebSocketRoute) else {m.lower() for m in inner.methods or ()}
                served_routes |= {(m, route.path + inner.path) for m in methods - {"head"}}
        elif isinstance(route, Route):
            served_routes |= {(m.lower(), route.path) for m in route.methods or () if m != "HEAD"}
        elif isinstance(route, WebSocketRoute):
            served_routes.add(("get", route.path))
    described = {(m, p) for p, ops in spec["paths"].items() for m in ops}
    assert served_routes == described
    assert spec["openapi"].startswith("3.1")
    Draft202012Validator.check_schema({"components": spec["components"]})
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert op["summary"] and op["responses"], f"{method} {path}"
            if path.startswith("/api/v1/chats/"):
                assert "401" in op["responses"] or path.endswith("/ws"), f"{method} {path} needs a token"


async def test_limits_from_the_config_are_in_the_description(served: Served) -> None:
    async with served.client() as c:
        schemas = (await c.get("/openapi.json")).json()["components"]["schemas"]
    assert schemas["NewMessage"]["properties"]["text"]["maxLength"] == 4000
    assert schemas["StartChat"]["properties"]["topic"]["enum"] == ["", "question", "billing", "tech"]


async def test_live_answers_match_the_description(served: Served) -> None:
    async with served.client() as c:
        spec = (await c.get("/openapi.json")).json()
        chats, chat_path = "/api/v1/chats", "/api/v1/chats/{chat_id}"
        documented(spec, "get", "/api/v1/config", await c.get("/api/v1/config"))
        documented(spec, "post", chats, await c.post(chats, json={"name": ""}))
        documented(spec, "post", chats, await c.post(chats, content=b"{", headers={"Content-Type": "application/json"}))
        started = await c.post(chats, json={"name": "Ann", "message": "hi"})
        documented(spec, "post", chats, started)
        chat = started.json()
        cid, h = chat["chat_id"], auth(chat)
        calls = [
            ("get", chat_path, await c.get(f"{chats}/{cid}", headers=h)),
            ("get", chat_path, await c.get(f"{chats}/{cid}")),
            ("post", f"{chat_path}/messages", await c.post(f"{chats}/{cid}/messages", json={"text": "x"}, headers=h)),
            ("post", f"{chat_path}/messages", await c.post(f"{chats}/{cid}/messages", json={"text": ""}, headers=h)),
            ("post", f"{chat_path}/messages", await c.post(f"{chats}/{cid}/messages", data={"a": "b"}, headers=h)),
            ("get", f"{chat_path}/events", await c.get(f"{chats}/{cid}/events", headers=h)),
            ("get", f"{chat_path}/events", await c.get(f"{chats}/{cid}/events", params={"after": "x"}, headers=h)),
            ("post", f"{chat_path}/attachments", await c.post(f"{chats}/{cid}/attachments", headers=h,
                                                              files={"file": ("a.txt", b"hello", "text/plain")})),
            ("post", f"{chat_path}/rating", await c.post(f"{chats}/{cid}/rating", json={"score": 3}, headers=h)),
            ("post", f"{chat_path}/escalate", await c.post(f"{chats}/{cid}/escalate", headers=h)),
            ("post", f"{chat_path}/escalate", await c.post(f"{chats}/{cid}/escalate", headers=h)),
            ("post", f"{chat_path}/close", await c.post(f"{chats}/{cid}/close", headers=h)),
            ("post", f"{chat_path}/rating", await c.post(f"{chats}/{cid}/rating", json={"score": 9}, headers=h)),
            ("post", f"{chat_path}/rating", await c.post(f"{chats}/{cid}/rating", json={"score": 5}, headers=h)),
            ("get", f"{chat_path}/transcript",
             await c.get(f"{chats}/{cid}/transcript", params={"format": "json"}, headers=h)),
            ("get", f"{chat_path}/transcript",
             await c.get(f"{chats}/{cid}/transcript", params={"format": "doc"}, headers=h)),
            ("get", f"{chat_path}/attachments/{{attachment_id}}",
             await c.get(f"{chats}/{cid}/attachments/nope", headers=h)),
            ("get", f"{chat_path}/ws", await c.get(f"{chats}/{cid}/ws")),
            ("get", "/widget.js", await c.get("/widget.js")),
            ("get", "/", await c.get("/")),
        ]
        for method, path, resp in calls:
            documented(spec, method, path, resp)
    async with served.client(Origin="http://evil.test") as evil:
        refused = await evil.post(chats, json={"name": "E"})
    documented(spec, "post", chats, refused)
    assert {r.status_code for _, _, r in calls} >= {200, 201, 400, 401, 409, 415, 422, 426}
