"""Bad input of every kind gets a clear JSON error and changes nothing."""

import time
from pathlib import Path

import httpx
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from redis.asyncio import Redis

from adapters.widget.tokens import SessionTokens
from tests.support.events import conversation
from tests.widget.conftest import HOST_ORIGIN, Served, auth, running_bridge

KEY = "test-signing-key-0123456789"


async def stream_texts(served: Served, chat_id: str) -> list[str]:
    return [e.text for e in await conversation(served.app.stream, chat_id)]


async def test_empty_oversize_and_malformed_messages_are_refused_and_store_nothing(served: Served) -> None:
    async with served.client() as c:
        chat = await served.start_chat(c, message="hello")
        url, h = f"/api/v1/chats/{chat['chat_id']}/messages", auth(chat)
        cases = {
            "empty": await c.post(url, json={"text": "   \n"}, headers=h),
            "long": await c.post(url, json={"text": "x" * 4001}, headers=h),
            "malformed": await c.post(url, content=b'{"text": "hi"', headers={**h, "Content-Type": "application/json"}),
            "form": await c.post(url, data={"text": "hi"}, headers=h),
            "extra": await c.post(url, json={"text": "hi", "admin": True}, headers=h),
            "not_text": await c.post(url, json={"text": 5}, headers=h),
            "bad_id": await c.post(url, json={"text": "hi", "client_msg_id": "a b"}, headers=h),
            "huge": await c.post(url, content=b"{" + b" " * 300_000 + b"}",
                                 headers={**h, "Content-Type": "application/json"}),
        }
    expected = {"empty": (422, "empty_message"), "long": (422, "message_too_long"),
                "malformed": (400, "malformed_json"), "form": (415, "unsupported_media_type"),
                "extra": (422, "invalid_body"), "not_text": (422, "invalid_body"),
                "bad_id": (422, "invalid_body"), "huge": (413, "body_too_large")}
    assert {k: (r.status_code, r.json()["error"]) for k, r in cases.items()} == expected
    assert all(r.json()["message"] for r in cases.values())
    assert cases["extra"].json()["fields"] == [{"field": "admin", "message": "Extra inputs are not permitted"}]
    assert await stream_texts(served, chat["chat_id"]) == ["hello"]


async def test_start_chat_checks_its_fields(served: Served) -> None:
    async with served.client() as c:
        no_name = await c.post("/api/v1/chats", json={"name": " ", "topic": "question"})
        topic = await c.post("/api/v1/chats", json={"name": "Ann", "topic": "nope"})
        email = await c.post("/api/v1/chats", json={"name": "Ann", "email": "not-an-address"})
        page = await c.post("/api/v1/chats", json={"name": "Ann", "page_url": "javascript:alert(1)"})
        array = await c.post("/api/v1/chats", json=[1, 2])
    assert [r.status_code for r in (no_name, topic, email, page, array)] == [422] * 5
    assert topic.json()["error"] == "unknown_topic"
    assert await served.app.chats.open_ids() == set()


async def test_tokens_open_only_their_own_chat(served: Served) -> None:
    async with served.client() as c:
        ann = await served.start_chat(c, message="ann's secret")
        bob = await served.start_chat(c, name="Bob", message="bob's")
        wrong = await c.get(f"/api/v1/chats/{ann['chat_id']}/events", headers=auth(bob))
        none = await c.get(f"/api/v1/chats/{ann['chat_id']}/events")
        forged = await c.get(f"/api/v1/chats/{ann['chat_id']}/events",
                             headers={"Authorization": "Bearer " + ann["token"][:-2] + "xx"})
        other_key = SessionTokens("another-key", 3600).issue(ann["chat_id"]).token
        foreign = await c.get(f"/api/v1/chats/{ann['chat_id']}/events",
                              headers={"Authorization": f"Bearer {other_key}"})
        post = await c.post(f"/api/v1/chats/{ann['chat_id']}/messages", json={"text": "hi"}, headers=auth(bob))
        close = await c.post(f"/api/v1/chats/{ann['chat_id']}/close", headers=auth(bob))
    assert (wrong.status_code, wrong.json()["error"]) == (403, "wrong_chat")
    assert (none.status_code, none.json()["error"]) == (401, "missing_token")
    assert (forged.status_code, forged.json()["error"]) == (401, "invalid_token")
    assert (foreign.status_code, foreign.json()["error"]) == (401, "invalid_token")
    assert post.status_code == 403 and close.status_code == 403
    assert await stream_texts(served, ann["chat_id"]) == ["ann's secret"]
    chat = await served.app.chats.get(ann["chat_id"])
    assert chat is not None and chat.state == "bot"


async def test_an_expired_token_is_refused(served: Served) -> None:
    class OldSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 25 * 3600

    async with served.client() as c:
        chat = await served.start_chat(c)
        serializer = URLSafeTimedSerializer(KEY, salt="csr-bridge.widget.session", signer=OldSigner)
        old = serializer.dumps({"c": chat["chat_id"]})
        resp = await c.get(f"/api/v1/chats/{chat['chat_id']}", headers={"Authorization": f"Bearer {old}"})
    assert (resp.status_code, resp.json()["error"]) == (401, "token_expired")


async def test_other_origins_are_refused_and_allowed_ones_get_cors(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.url) as c:
        evil = await c.post("/api/v1/chats", json={"name": "Eve"}, headers={"Origin": "https://evil.example"})
        preflight_evil = await c.options("/api/v1/chats", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
        preflight = await c.options("/api/v1/chats", headers={
            "Origin": HOST_ORIGIN, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,authorization"})
        own = await c.post("/api/v1/chats", json={"name": "Ann"}, headers={"Origin": served.url})
        hosted = await c.post("/api/v1/chats", json={"name": "Ann"}, headers={"Origin": HOST_ORIGIN})
    assert (evil.status_code, evil.json()["error"]) == (403, "origin_not_allowed")
    assert preflight_evil.status_code == 403
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == HOST_ORIGIN
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    assert own.status_code == 201 and hosted.status_code == 201
    assert hosted.headers["access-control-allow-origin"] == HOST_ORIGIN
    assert len(await served.app.chats.open_ids()) == 2


async def test_unknown_paths_and_methods_answer_in_json(served: Served) -> None:
    async with served.client() as c:
        missing = await c.get("/api/v1/nothing-here")
        method = await c.delete("/api/v1/chats")
        bad_after = await c.get("/api/v1/chats/x/events", params={"after": "abc"},
                                headers={"Authorization": "Bearer x"})
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")
    assert (method.status_code, method.json()["error"]) == (405, "method_not_allowed")
    assert bad_after.status_code == 401, "the token is checked before anything else"


async def test_session_rate_limit_answers_429_with_retry_after(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    async with running_bridge(tmp_path, redis, redis_url, widget={"messages_per_minute": 3}) as served:
        async with served.client() as c:
            chat = await served.start_chat(c)
            url = f"/api/v1/chats/{chat['chat_id']}/messages"
            codes = [(await c.post(url, json={"text": f"m{i}"}, headers=auth(chat))).status_code for i in range(3)]
            limited = await c.post(url, json={"text": "too many"}, headers=auth(chat))
            other = await served.start_chat(c)
            fine = await c.post(f"/api/v1/chats/{other['chat_id']}/messages", json={"text": "hi"}, headers=auth(other))
        texts = await stream_texts(served, chat["chat_id"])
    assert codes == [201, 201, 201]
    assert limited.status_code == 429 and limited.json()["error"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert fine.status_code == 201, "one session's limit does not touch another's"
    assert texts == ["m0", "m1", "m2"]


async def test_address_limits_new_chats_and_all_requests(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    widget = {"chats_per_hour_per_address": 2, "requests_per_minute_per_address": 6}
    async with running_bridge(tmp_path, redis, redis_url, widget=widget) as served:
        async with served.client() as c:
            await served.start_chat(c)
            await served.start_chat(c)
            third = await c.post("/api/v1/chats", json={"name": "Ann"})
            reads = [(await c.get("/api/v1/config")).status_code for _ in range(4)]
        open_chats = await served.app.chats.open_ids()
    assert third.status_code == 429 and int(third.headers["retry-after"]) > 60
    assert reads == [200, 200, 200, 429], "six requests a minute from one address, whatever they are"
    assert len(open_chats) == 2
