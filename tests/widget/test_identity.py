"""Host-site identity through the widget API: a signed user id makes a verified customer whose attributes route
the chat; a forged, replayed-for-another-user or unverifiable hash is refused (403) with nothing stored; unsigned
attributes are kept as claims that never route; bounds on attribute names, values and counts are 422s; the visit
(browser and OS from the User-Agent, language, zone) and page changes reach the chat, rate-bounded."""

import json
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from bridge.domain.events import EventKind
from bridge.identity import user_hash, verified_customer_id
from tests.widget.conftest import Served, auth, running_bridge

SECRET = "host-site-identity-secret-0123456789"
CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/131.0.0.0 Safari/537.36")


@pytest.fixture
async def signed(tmp_path: Path, redis: Redis, redis_url: str) -> Any:
    overrides = {"widget": {"identity_secret": SECRET, "page_updates_per_minute": 3},
                 "routing": {"priorities": [{"attribute": "plan", "value": "enterprise", "priority": 7}]}}
    async with running_bridge(tmp_path, redis, redis_url, **overrides) as served:
        yield served


def identity(user_id: str = "u-42", plan: str = "enterprise", **extra: Any) -> dict[str, Any]:
    return {"user_id": user_id, "user_hash": user_hash(SECRET, user_id), "name": "Eve Adams",
            "email": "eve@example.com", "attributes": {"plan": plan}, **extra}


async def _open_chats(served: Served) -> set[str]:
    return await served.app.chats.open_ids()


async def test_a_signed_identity_is_verified_and_its_attributes_route(signed: Served) -> None:
    async with signed.client(**{"User-Agent": CHROME}) as client:
        chat = await signed.start_chat(client, identity=identity(), visit={
            "page_url": "https://shop.example/cart", "page_title": "Cart", "referrer": "https://search.example/?q=x",
            "language": "de-CH", "time_zone": "Europe/Zurich", "utc_offset_minutes": 60})
        assert chat["verified"] is True and chat["customer_token"]
        stored = await signed.app.chats.get(chat["chat_id"])
        assert stored is not None
        customer = stored.customer
        assert (customer.verified, customer.user_id, customer.id) == (True, "u-42", verified_customer_id("u-42"))
        assert customer.attributes == {"plan": "enterprise"} and customer.claimed == {}
        assert customer.name == "Eve Adams" and customer.email == "eve@example.com"
        visit = stored.visit
        assert (visit.browser, visit.os) == ("Chrome 131", "Windows 10")
        assert (visit.language, visit.time_zone, visit.page_title) == ("de-CH", "Europe/Zurich", "Cart")
        escalated = await client.post(f"/api/v1/chats/{chat['chat_id']}/escalate", headers=auth(chat))
        assert escalated.status_code == 200
        assert (await signed.app.chats.get(chat["chat_id"])).priority == 7  # type: ignore[union-attr]


async def test_unsigned_attributes_are_claims_that_never_route(signed: Served) -> None:
    async with signed.client() as client:
        chat = await signed.start_chat(client, identity={"user_id": "u-42", "email": "ceo@example.com",
                                                         "attributes": {"plan": "enterprise"}})
        assert chat["verified"] is False
        stored = await signed.app.chats.get(chat["chat_id"])
        assert stored is not None
        assert stored.customer.verified is False and stored.customer.user_id == ""
        assert stored.customer.attributes == {} and stored.customer.claimed == {"plan": "enterprise"}
        assert stored.customer.id.startswith("s_"), "linked within the browser session, never by the claimed email"
        await client.post(f"/api/v1/chats/{chat['chat_id']}/escalate", headers=auth(chat))
        assert (await signed.app.chats.get(chat["chat_id"])).priority == 0  # type: ignore[union-attr]


@pytest.mark.parametrize("forged", [
    "0" * 64,  # made up
    user_hash(SECRET, "u-41"),  # a real hash, replayed for another user id
    user_hash("another-secret-0123456789abcdef", "u-42"),  # signed with the wrong key
    user_hash(SECRET, "u-42 "),  # a user id with a trailing space
    user_hash(SECRET, ""),  # signs no user at all
])
async def test_a_forged_hash_is_refused_and_nothing_stored(signed: Served, forged: str) -> None:
    before = await _open_chats(signed)
    async with signed.client() as client:
        resp = await client.post("/api/v1/chats", json={"name": "Eve", "topic": "question", "message": "hi",
                                                        "identity": {**identity(), "user_hash": forged}})
    assert resp.status_code == 403 and resp.json()["error"] == "identity_not_verified"
    assert SECRET not in resp.text
    assert await _open_chats(signed) == before


async def test_a_hash_without_a_secret_is_refused(served: Served) -> None:
    async with served.client() as client:
        resp = await client.post("/api/v1/chats", json={"name": "Eve", "topic": "question", "identity": identity()})
    assert resp.status_code == 403 and resp.json()["error"] == "identity_not_verifiable"
    assert await served.app.chats.open_ids() == set()


@pytest.mark.parametrize(("bad", "where"), [
    ({"attributes": {"Plan": "x"}}, "identity.attributes"),  # upper case
    ({"attributes": {"1plan": "x"}}, "identity.attributes"),  # starts with a digit
    ({"attributes": {"a" * 33: "x"}}, "identity.attributes"),  # name too long
    ({"attributes": {"pl an": "x"}}, "identity.attributes"),
    ({"attributes": {"plan\u0000": "x"}}, "identity.attributes"),
    ({"attributes": {"plän": "x"}}, "identity.attributes"),
    ({"attributes": {"plan": "x" * 201}}, "identity.attributes.plan"),
    ({"attributes": {f"k{i}": "v" for i in range(21)}}, "identity.attributes"),
    ({"attributes": {"plan": 5}}, "identity.attributes.plan"),
    ({"user_hash": "zz" * 32}, "identity.user_hash"),
    ({"user_hash": "ab" * 33}, "identity.user_hash"),
    ({"user_id": "u" * 129}, "identity.user_id"),
    ({"email": "not an email"}, "identity.email"),
    ({"role": "admin"}, "identity.role"),
])
async def test_bad_identities_are_422_with_the_field(signed: Served, bad: dict[str, Any], where: str) -> None:
    async with signed.client() as client:
        resp = await client.post("/api/v1/chats", json={"name": "Eve", "topic": "question",
                                                        "identity": {**identity(), **bad}})
    assert resp.status_code == 422, resp.text
    assert any(f["field"].startswith(where) for f in resp.json()["fields"]), resp.json()
    assert await signed.app.chats.open_ids() == set()


@pytest.mark.parametrize("bad", [
    {"page_url": "javascript:alert(1)"}, {"referrer": "data:text/html,x"}, {"language": "en_US; drop"},
    {"time_zone": "../../etc/passwd"}, {"utc_offset_minutes": 100000}, {"page_title": "t" * 201},
    {"page_url": "https://x.example/" + "a" * 2000},
])
async def test_bad_visits_are_422(signed: Served, bad: dict[str, Any]) -> None:
    async with signed.client() as client:
        resp = await client.post("/api/v1/chats", json={"name": "Eve", "topic": "question", "visit": bad})
    assert resp.status_code == 422, resp.text


async def test_nul_and_unicode_in_identity_are_cleaned(signed: Served) -> None:
    body = {"name": "Ann", "topic": "question", "identity": {"name": "Ëve\u0000 \u202e", "attributes": {
        "team": "ops\u0000 <b>\ud83d", "note": "e\u0301"}}}
    async with signed.client(**{"User-Agent": "x" * 5000}) as client:
        lone = await client.post("/api/v1/chats", content=json.dumps(body),  # a lone surrogate, as JSON may carry
                                 headers={"Content-Type": "application/json"})
        assert lone.status_code == 400 and lone.json()["error"] == "malformed_json"
        assert await signed.app.chats.open_ids() == set()
        body["identity"]["attributes"]["team"] = "ops\u0000 <b>\U0001f600"  # type: ignore[index]
        chat = await signed.start_chat(client, identity=body["identity"])
    stored = await signed.app.chats.get(chat["chat_id"])
    assert stored is not None
    assert stored.customer.claimed == {"team": "ops <b>\U0001f600", "note": "\u00e9"}
    assert len(stored.visit.user_agent) == 512


async def test_the_session_links_unverified_chats_and_a_forged_token_starts_afresh(signed: Served) -> None:
    async with signed.client() as client:
        first = await signed.start_chat(client)
        second = await signed.start_chat(client, customer_token=first["customer_token"])
        forged = await signed.start_chat(client, customer_token=first["customer_token"][:-2] + "xx")
        stranger = await signed.start_chat(client, email="ann@example.com")
    ids = {}
    for name, chat in (("first", first), ("second", second), ("forged", forged), ("stranger", stranger)):
        stored = await signed.app.chats.get(chat["chat_id"])
        assert stored is not None
        ids[name] = stored.customer.id
    assert ids["first"] == ids["second"]
    assert len({ids["first"], ids["forged"], ids["stranger"]}) == 3


async def test_page_changes_reach_the_chat_and_are_rate_bound(signed: Served) -> None:
    async with signed.client() as client:
        chat = await signed.start_chat(client, visit={"page_url": "https://shop.example/"})
        chat_id = chat["chat_id"]
        for n in range(3):
            resp = await client.post(f"/api/v1/chats/{chat_id}/page", headers=auth(chat),
                                     json={"page_url": f"https://shop.example/p/{n}", "page_title": f"P{n}"})
            assert resp.status_code == 202, resp.text
        flood = await client.post(f"/api/v1/chats/{chat_id}/page", headers=auth(chat),
                                  json={"page_url": "https://shop.example/p/3"})
        assert flood.status_code == 429 and "retry-after" in flood.headers
        other = await signed.start_chat(client)
        wrong = await client.post(f"/api/v1/chats/{chat_id}/page", headers=auth(other),
                                  json={"page_url": "https://evil.example/"})
        assert wrong.status_code == 403
        bad = await client.post(f"/api/v1/chats/{other['chat_id']}/page", headers=auth(other),
                                json={"page_url": "javascript:alert(1)"})
        assert bad.status_code == 422
    stored = await signed.app.chats.get(chat_id)
    assert stored is not None and stored.visit.page_url == "https://shop.example/p/2"
    events = await signed.app.stream.read_all(chat_id)
    contexts = [e for e in events if e.kind is EventKind.CONTEXT]
    assert [e.data["why"] for e in contexts] == ["start", "page", "page", "page"]
    assert all(e.internal and not e.customer_visible for e in contexts)


async def test_a_hash_without_a_user_id_is_refused(signed: Served) -> None:
    async with signed.client() as client:
        resp = await client.post("/api/v1/chats", json={"name": "Eve", "topic": "question", "identity": {
            "user_id": "", "user_hash": user_hash(SECRET, "")}})
    assert resp.status_code == 403 and resp.json()["error"] == "identity_not_verified"
    assert await signed.app.chats.open_ids() == set()
