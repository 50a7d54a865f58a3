"""Transcript rendering, checked field by field for both audiences and all three formats."""

import json

import pytest

from bridge.domain.chat import Chat, ChatState, Customer
from bridge.domain.events import Attachment, Author, AuthorKind, ChatEvent, EventKind
from transcripts.render import render_transcript

ALICE = Author(kind=AuthorKind.AGENT, id="alice", name="Alice")
EVE = Author(kind=AuthorKind.CUSTOMER, id="c1", name="Eve <b>Evil</b>")


def _chat() -> Chat:
    return Chat(id="c1", customer=Customer(name="Eve <b>Evil</b>", email="eve@example.org"), topic="billing",
                queue="billing", state=ChatState.CLOSED, agent_id="alice", created_at=1_700_000_000,
                accepted_at=1_700_000_010, closed_at=1_700_000_100, close_reason="resolved")


def _events() -> list[ChatEvent]:
    def ev(n: int, kind: EventKind, **kw: object) -> ChatEvent:
        return ChatEvent.model_validate({"id": f"{n}-0", "chat_id": "c1", "kind": kind, "ts": 1_700_000_000 + n, **kw})

    pdf = Attachment(id="c1.f1", filename="receipt.pdf", content_type="application/pdf", size=1234)
    return [
        ev(1, EventKind.MESSAGE, author=EVE, text="<script>alert('x')</script> I was charged twice", attachments=[pdf]),
        ev(2, EventKind.QUEUED, data={"queue": "billing"}),
        ev(3, EventKind.OFFERED, data={"agent_id": "alice"}),
        ev(4, EventKind.ACCEPTED, data={"agent_id": "alice"}),
        ev(5, EventKind.MESSAGE, author=ALICE, text="Let me check that."),
        ev(6, EventKind.NOTE, author=ALICE, text="VIP customer, refund fast", internal=True),
        ev(7, EventKind.CARD, author=ALICE, data={"title": "Payments", "summary": "Declined & double charges",
                                                   "url": "https://help.example.com/payments"}),
        ev(8, EventKind.MESSAGE, author=EVE, text="typo heer"),
        ev(9, EventKind.EDITED, author=EVE, text="typo here", data={"target": "8-0"}),
        ev(10, EventKind.MESSAGE, author=ALICE, text="oops wrong chat"),
        ev(11, EventKind.DELETED, author=ALICE, data={"target": "10-0"}),
        ev(12, EventKind.CASE, author=ALICE, text="Refund request opened",
           data={"reference": "CASE-7", "type": "refund", "fields": {"amount": "12.50"}}),
        ev(13, EventKind.TYPING, author=EVE),
        ev(14, EventKind.CLOSED, data={"reason": "resolved", "by": "alice"}),
        ev(15, EventKind.RATING, author=EVE, data={"score": 5, "comment": "great"}),
    ]


def _json(audience: str) -> dict:
    body, ctype = render_transcript(_chat(), _events(), "json", audience)  # type: ignore[arg-type]
    assert ctype == "application/json"
    return json.loads(body)


def test_json_for_customer_leaves_out_notes_and_routing() -> None:
    doc = _json("customer")
    assert doc["chat"] == {"id": "c1", "customer": {"name": "Eve <b>Evil</b>", "email": "eve@example.org"},
                           "topic": "billing", "created_at": 1_700_000_000, "closed_at": 1_700_000_100}
    events = doc["events"]
    assert [e["id"] for e in events] == ["1-0", "5-0", "7-0", "8-0", "10-0", "12-0", "14-0", "15-0"]
    first = events[0]
    assert first["kind"] == "message" and first["author"] == "Eve <b>Evil</b>" and first["author_kind"] == "customer"
    assert first["text"] == "<script>alert('x')</script> I was charged twice"
    assert first["attachments"] == [{"id": "c1.f1", "filename": "receipt.pdf", "content_type": "application/pdf",
                                     "size": 1234}]
    assert events[2]["card"] == {"title": "Payments", "summary": "Declined & double charges",
                                 "url": "https://help.example.com/payments"}
    assert events[3]["text"] == "typo here" and events[3]["edited"] is True and "original_text" not in events[3]
    assert events[4]["deleted"] is True and events[4]["text"] == ""
    assert events[5]["details"] == {"reference": "CASE-7", "type": "refund"}
    assert events[7]["details"] == {"score": 5, "comment": "great"}
    assert "VIP" not in json.dumps(doc) and "alice" not in json.dumps(doc).replace("Alice", "")
    assert all("internal" not in e for e in events)


def test_json_for_staff_keeps_everything_but_typing() -> None:
    doc = _json("staff")
    assert doc["chat"]["queue"] == "billing" and doc["chat"]["agent_id"] == "alice"
    assert doc["chat"]["close_reason"] == "resolved" and doc["chat"]["accepted_at"] == 1_700_000_010
    kinds = [e["kind"] for e in doc["events"]]
    assert kinds == ["message", "queued", "offered", "accepted", "message", "note", "card", "message", "message",
                     "case", "closed", "rating"]
    note = doc["events"][5]
    assert note["internal"] is True and note["text"] == "VIP customer, refund fast" and note["author"] == "Alice"
    assert doc["events"][3]["text"] == "Accepted by alice"
    assert doc["events"][7]["original_text"] == "typo heer" and doc["events"][7]["text"] == "typo here"
    assert doc["events"][8]["original_text"] == "oops wrong chat" and doc["events"][8]["deleted"] is True
    assert doc["events"][9]["details"]["fields"] == {"amount": "12.50"}
    assert doc["events"][10]["details"] == {"reason": "resolved", "by": "alice"}


def test_html_escapes_everything_and_prints_well() -> None:
    body, ctype = render_transcript(_chat(), _events(), "html", "customer")
    html = body.decode()
    assert ctype == "text/html; charset=utf-8"
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>Evil</b>" not in html and "Eve &lt;b&gt;Evil&lt;/b&gt;" in html
    assert "Declined &amp; double charges" in html
    assert '<a href="https://help.example.com/payments">' in html
    assert "@media print" in html and "VIP" not in html
    staff = render_transcript(_chat(), _events(), "html", "staff")[0].decode()
    assert "VIP customer, refund fast" in staff and "Internal note" in staff


def test_html_never_links_a_script_url() -> None:
    events = [ChatEvent(id="1-0", chat_id="c1", kind=EventKind.CARD, ts=1, author=ALICE,
                        data={"title": "t", "summary": "", "url": "javascript:alert(1)"})]
    html = render_transcript(_chat(), events, "html", "staff")[0].decode()
    assert 'href="javascript' not in html


def test_text_lines() -> None:
    text = render_transcript(_chat(), _events(), "txt", "staff")[0].decode()
    lines = text.splitlines()
    assert "Customer: Eve <b>Evil</b>" in lines and "Queue: billing" in lines and "Close reason: resolved" in lines
    assert "[2023-11-14 22:13:21 UTC] Eve <b>Evil</b>: <script>alert('x')</script> I was charged twice" in lines
    assert "    [file: receipt.pdf, application/pdf, 1234 bytes]" in lines
    assert "[2023-11-14 22:13:26 UTC] [internal note] Alice: VIP customer, refund fast" in lines
    assert "[2023-11-14 22:13:28 UTC] Eve <b>Evil</b>: typo here (edited)" in lines
    assert "    amount: 12.50" in lines
    customer = render_transcript(_chat(), _events(), "txt", "customer")[0].decode()
    assert "internal" not in customer and "Queue:" not in customer and "Accepted by" not in customer
    assert "(message deleted)" in customer


def test_unknown_format_or_audience_is_refused() -> None:
    with pytest.raises(ValueError):
        render_transcript(_chat(), [], "pdf", "staff")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        render_transcript(_chat(), [], "txt", "everyone")  # type: ignore[arg-type]


def test_tags_and_the_outcome_are_for_staff_only() -> None:
    chat = _chat().model_copy(update={"tags": ["vip-refund"], "outcome": "spam-ish"})
    filed = [
        ChatEvent(id="20-0", chat_id="c1", kind=EventKind.TAGGED, ts=1_700_000_090, author=ALICE, internal=True,
                  text="Tagged: vip-refund", data={"added": ["vip-refund"], "removed": [], "tags": ["vip-refund"]}),
        ChatEvent(id="21-0", chat_id="c1", kind=EventKind.OUTCOME, ts=1_700_000_099, author=ALICE, internal=True,
                  text="Outcome: spam-ish", data={"outcome": "spam-ish", "by": "alice"}),
    ]
    events = [*_events()[:-2], *filed, *_events()[-2:]]
    for fmt in ("txt", "html", "json"):
        body, _ = render_transcript(chat, events, fmt, "customer")
        text = body if isinstance(body, str) else body.decode()
        assert "vip-refund" not in text and "spam-ish" not in text, fmt
    doc = json.loads(render_transcript(chat, events, "json", "staff")[0])
    assert (doc["chat"]["tags"], doc["chat"]["outcome"]) == (["vip-refund"], "spam-ish")
    assert [(e["kind"], e["text"], e["internal"]) for e in doc["events"] if e["kind"] in ("tagged", "outcome")] == [
        ("tagged", "Tagged: vip-refund", True), ("outcome", "Outcome: spam-ish", True)]
    staff_text = render_transcript(chat, events, "txt", "staff")[0]
    assert "Tags: vip-refund" in str(staff_text) and "Outcome: spam-ish" in str(staff_text)
