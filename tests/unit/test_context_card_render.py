"""The context card rendered for Matrix (one m.notice: escaped HTML, plain body) from the one neutral model, and
the model's own wording: verified and unverified customers, local time, history notes."""

from adapters.matrix.context_card import card_content
from adapters.matrix.relations import replacing
from bridge.clock import now
from transcripts.context_card import ContextCard, PastChatLine, local_time

HOSTILE = "Ann <img src=x onerror=alert(1)> & @room"


def _card(**over: object) -> ContextCard:
    fields: dict[str, object] = dict(
        chat_id="c1", name=HOSTILE, email="ann@example.com", verified=False, user_id="",
        page_url="https://shop.example/cart?a=1&b=<2>", page_title="Cart <b>", referrer="https://ref.example/",
        browser="Firefox 133", os="Mac OS X 14", language="fr-FR", time_zone="Europe/Paris", local_time="10:00 Mon",
        attributes=(), claimed=(("plan", "enterprise</li><script>"),), topic="A question", queue="General",
        history_count=1, history=(PastChatLine("c0", "2026-12-01 09:00 UTC", "Alice", "5/5", "General"),),
        history_note="this browser session only")
    fields.update(over)
    return ContextCard(**fields)  # type: ignore[arg-type]


def test_matrix_card_escapes_everything_the_customer_sent() -> None:
    content = card_content(_card().as_reply(), "!csr")
    html = content["formatted_body"]
    assert content["msgtype"] == "m.notice" and content["format"] == "org.matrix.custom.html"
    assert "<img" not in html and "<script>" not in html and "</li><script>" not in html
    assert "Ann &lt;img src=x onerror=alert(1)&gt; &amp; @room" in html
    assert '<a href="https://shop.example/cart?a=1&amp;b=&lt;2&gt;">Page</a>' in html
    assert "<b>plan (unverified)</b>: enterprise&lt;/li&gt;&lt;script&gt;" in html
    assert "⚠️ not verified" in content["body"] and "Previous chats: 1 — this browser session only" in content["body"]
    assert "<code>!csr history c1 transcript c0</code>" in html
    edit = replacing("$card", content)
    assert edit["m.relates_to"] == {"rel_type": "m.replace", "event_id": "$card"}
    assert edit["m.new_content"]["formatted_body"] == html


def test_verified_card_shows_verified_attributes_and_user() -> None:
    reply = _card(verified=True, user_id="u-1", attributes=(("plan", "enterprise"),), claimed=(),
                  history_note="").as_reply()
    lines = {(i.title, i.detail) for i in reply.items}
    assert "✅ verified" in reply.title
    assert ("User id", "u-1") in lines and ("plan (verified)", "enterprise") in lines
    assert ("Previous chats", "1") in lines


def test_local_time_by_zone_or_offset() -> None:
    at = 1_767_261_600.0  # 2026-01-01 10:00 UTC, a Thursday
    assert local_time("Asia/Tokyo", None, at) == "19:00 Thu"
    assert local_time("Not/AZone", 120, at) == "12:00 Thu"
    assert local_time("", None, at) == ""
    assert local_time("../etc", -60, now()) != ""
