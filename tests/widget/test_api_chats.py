"""The chat API over real HTTP against the real service: start, talk, escalate, end, rate, catch up."""

from pathlib import Path

from bridge.domain.agent import Presence
from bridge.domain.events import EventKind
from bridge.service import CUSTOMER_ORIGIN
from tests.widget.conftest import Served, auth

ARTICLE = """---
title: Cancel or pause your subscription
summary: Cancel any time from Account > Subscription.
tags: [subscription, cancel]
url: https://help.example.com/articles/cancel-subscription
---
## Cancel
Go to Account > Subscription and choose Cancel subscription.
"""


async def test_config_gives_looks_topics_and_limits(served: Served) -> None:
    async with served.client() as c:
        cfg = (await c.get("/api/v1/config")).json()
    assert cfg["title"] == "Chat with us"
    assert [t["id"] for t in cfg["topics"]] == ["question", "billing", "tech"]
    assert cfg["max_message_chars"] == 4000
    assert "image/png" in cfg["uploads"]["allowed_types"]


async def test_start_chat_puts_it_in_the_topics_queue_and_stores_the_first_message(served: Served) -> None:
    async with served.client() as c:
        chat = await served.start_chat(c, topic="billing", email="ann@example.com", message="Hi <b>there</b> 👋",
                                       page_url="https://shop.example.com/cart")
        events = (await c.get(f"/api/v1/chats/{chat['chat_id']}/events", headers=auth(chat))).json()
    stored = await served.app.chats.get(chat["chat_id"])
    assert stored is not None and stored.queue == "billing" and stored.priority == 1
    assert stored.customer.email == "ann@example.com"
    assert stored.visit.page_url == "https://shop.example.com/cart" and stored.customer.attributes == {}
    assert chat["state"] == "bot" and chat["token"]
    assert [(e["kind"], e["text"], e["author"]["kind"]) for e in events["events"]] == [
        ("message", "Hi <b>there</b> 👋", "customer")]


async def test_first_question_gets_article_cards_from_the_knowledge_base(tmp_path: Path, served: Served) -> None:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "cancel.md").write_text(ARTICLE)
    await served.app.knowledge.reindex()
    async with served.client() as c:
        chat = await served.start_chat(c, message="How do I cancel my subscription?")
        await c.post(f"/api/v1/chats/{chat['chat_id']}/messages", json={"text": "cancel subscription please"},
                     headers=auth(chat))
        events = (await c.get(f"/api/v1/chats/{chat['chat_id']}/events", headers=auth(chat))).json()["events"]
    cards = [e for e in events if e["kind"] == "card"]
    assert len(cards) == 1, "only the first question is answered with suggestions"
    assert cards[0]["data"]["title"] == "Cancel or pause your subscription"
    assert cards[0]["data"]["url"] == "https://help.example.com/articles/cancel-subscription"
    assert cards[0]["data"]["source"] == "suggestion"


async def test_messages_keep_order_and_a_resent_client_id_is_stored_once(served: Served) -> None:
    async with served.client() as c:
        chat = await served.start_chat(c)
        url = f"/api/v1/chats/{chat['chat_id']}/messages"
        first = await c.post(url, json={"text": "one", "client_msg_id": "c-1"}, headers=auth(chat))
        again = await c.post(url, json={"text": "one", "client_msg_id": "c-1"}, headers=auth(chat))
        second = await c.post(url, json={"text": "two", "client_msg_id": "c-2"}, headers=auth(chat))
        page = (await c.get(f"/api/v1/chats/{chat['chat_id']}/events", headers=auth(chat))).json()
    assert (first.status_code, again.status_code, second.status_code) == (201, 200, 201)
    assert again.json()["event"]["id"] == first.json()["event"]["id"]
    assert [(e["text"], e["client_msg_id"]) for e in page["events"]] == [("one", "c-1"), ("two", "c-2")]


async def test_events_after_an_id_resume_without_gaps_or_repeats(served: Served) -> None:
    async with served.client() as c:
        chat = await served.start_chat(c, message="first")
        first = (await c.get(f"/api/v1/chats/{chat['chat_id']}/events", headers=auth(chat))).json()
        for text in ("second", "third"):
            await c.post(f"/api/v1/chats/{chat['chat_id']}/messages", json={"text": text}, headers=auth(chat))
        rest = (await c.get(f"/api/v1/chats/{chat['chat_id']}/events",
                            params={"after": first["last_event_id"]}, headers=auth(chat))).json()
    assert [e["text"] for e in rest["events"]] == ["second", "third"]
    assert rest["more"] is False and rest["last_event_id"] == rest["events"][-1]["id"]


async def test_escalate_queues_and_the_csr_joins_by_name(served: Served) -> None:
    app = served.app
    alice = app.config.agent("alice")
    assert alice is not None
    await app.router.set_presence(alice, Presence.AVAILABLE)
    async with served.client() as c:
        chat = await served.start_chat(c, message="I need a person")
        cid = chat["chat_id"]
        escalated = await c.post(f"/api/v1/chats/{cid}/escalate", headers=auth(chat))
        again = await c.post(f"/api/v1/chats/{cid}/escalate", headers=auth(chat))
        offer = next(e for e in await app.stream.read_all(cid) if e.kind == EventKind.OFFERED)
        await app.router.accept(offer.data["offer_id"], alice, "slack")
        await app.service.agent_message(cid, alice, "Hello Ann, Alice here", CUSTOMER_ORIGIN.model_copy(
            update={"platform": "slack", "event_id": "171.1"}))
        page = (await c.get(f"/api/v1/chats/{cid}/events", headers=auth(chat))).json()
        shown = (await c.get(f"/api/v1/chats/{cid}", headers=auth(chat))).json()
    assert escalated.status_code == 200 and escalated.json()["state"] in ("waiting", "active")
    assert again.status_code == 409 and again.json()["error"] == "already_escalated"
    kinds = [e["kind"] for e in page["events"]]
    assert kinds == ["message", "queued", "accepted", "message"], "offers stay internal"
    queued = page["events"][1]
    assert queued["data"]["position"] == 1 and "estimated_wait" not in queued["data"], "nobody has answered yet"
    assert (queued["text"], queued["status"]) == ("You're in line for a person from our team.",
                                                  "You're number 1 in line")
    assert page["events"][2]["data"] == {"agent_name": "Alice"}
    assert (page["events"][2]["text"], page["events"][2]["status"]) == ("Alice joined the chat", "Chatting with Alice")
    assert page["events"][3]["author"] == {"kind": "agent", "name": "Alice"}
    assert shown["state"] == "active" and shown["agent_name"] == "Alice" and shown["status"] == "Chatting with Alice"


async def test_internal_notes_never_reach_the_customer(served: Served) -> None:
    sam = served.app.config.agent("sam")
    assert sam is not None
    async with served.client() as c:
        chat = await served.start_chat(c, message="hello")
        await served.app.service.note(chat["chat_id"], sam, "customer seems upset", CUSTOMER_ORIGIN)
        page = (await c.get(f"/api/v1/chats/{chat['chat_id']}/events", headers=auth(chat))).json()
        transcript = await c.get(f"/api/v1/chats/{chat['chat_id']}/transcript", params={"format": "json"},
                                 headers=auth(chat))
    assert "upset" not in str(page) and "upset" not in transcript.text


async def test_end_rate_once_and_download_the_transcript(served: Served) -> None:
    async with served.client() as c:
        chat = await served.start_chat(c, message="Thanks <script>alert(1)</script>")
        cid, h = chat["chat_id"], auth(chat)
        early = await c.post(f"/api/v1/chats/{cid}/rating", json={"score": 5}, headers=h)
        ended = await c.post(f"/api/v1/chats/{cid}/close", headers=h)
        ended_again = await c.post(f"/api/v1/chats/{cid}/close", headers=h)
        rated = await c.post(f"/api/v1/chats/{cid}/rating", json={"score": 4, "comment": "quick"}, headers=h)
        twice = await c.post(f"/api/v1/chats/{cid}/rating", json={"score": 1}, headers=h)
        after_end = await c.post(f"/api/v1/chats/{cid}/messages", json={"text": "hello?"}, headers=h)
        txt = await c.get(f"/api/v1/chats/{cid}/transcript", params={"format": "txt"}, headers=h)
        html = await c.get(f"/api/v1/chats/{cid}/transcript", params={"format": "html"}, headers=h)
        as_json = await c.get(f"/api/v1/chats/{cid}/transcript", params={"format": "json"}, headers=h)
        bad = await c.get(f"/api/v1/chats/{cid}/transcript", params={"format": "pdf"}, headers=h)
    assert early.status_code == 409 and early.json()["error"] == "chat_not_closed"
    assert ended.json()["state"] == "closed" and ended_again.status_code == 200
    assert rated.status_code == 201 and rated.json()["event"]["data"] == {"score": 4, "comment": "quick"}
    assert twice.status_code == 409 and twice.json()["error"] == "already_rated"
    assert after_end.status_code == 409 and after_end.json()["error"] == "chat_closed"
    ratings = [e for e in await served.app.stream.read_all(cid) if e.kind == EventKind.RATING]
    assert [e.data["score"] for e in ratings] == [4]
    assert "Thanks <script>alert(1)</script>" in txt.text
    assert txt.headers["content-disposition"] == f'attachment; filename="transcript-{cid}.txt"'
    assert "<script>alert(1)" not in html.text and "&lt;script&gt;" in html.text
    assert as_json.json()["chat"]["id"] == cid
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_format"


async def test_the_transcript_outlives_the_live_chat_through_the_archive(served: Served) -> None:
    app = served.app
    async with served.client() as c:
        chat = await served.start_chat(c, message="keep this")
        cid, h = chat["chat_id"], auth(chat)
        await c.post(f"/api/v1/chats/{cid}/close", headers=h)
        await app.transcripts.archiver.archive(cid)
        await app.redis.delete(app.keys.chat(cid), app.keys.chat_events(cid))  # what expiry does later
        gone = await c.get(f"/api/v1/chats/{cid}/events", headers=h)
        archived = await c.get(f"/api/v1/chats/{cid}/transcript", params={"format": "txt"}, headers=h)
        other = await served.start_chat(c)
        refused = await c.get(f"/api/v1/chats/{cid}/transcript", headers=auth(other))
    assert (gone.status_code, gone.json()["error"]) == (404, "chat_not_found")
    assert archived.status_code == 200 and "Ann: keep this" in archived.text
    assert refused.status_code == 403
