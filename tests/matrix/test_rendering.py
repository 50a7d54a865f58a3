"""Rendering and parsing without a homeserver: what a post says, how replies page, what a reaction means."""

import json

from adapters.matrix.cards import offer_card
from adapters.matrix.compose import text_post
from adapters.matrix.lanes import Lane
from adapters.matrix.offers import answer_of
from adapters.matrix.outbox import MAX_BATCH_BYTES, Outbox, OutboxEntry
from adapters.matrix.relations import in_thread, relation_of, replacing, strip_reply_fallback
from adapters.matrix.render import event_entries
from adapters.matrix.replies import render_reply
from bridge.app import BridgeApp
from bridge.commands.replies import Action, Choices, Item, ItemList, Table, Text
from bridge.domain.chat import Chat, Customer
from bridge.domain.events import Author, AuthorKind, ChatEvent, EventKind
from bridge.domain.offer import Offer, OfferState
from bridge.ports import OfferView

CHAT = Chat(id="k3f9x2ab", customer=Customer(name="Ann <script>"), topic="question", queue="general", created_at=1.0)
ANN = Author(kind=AuthorKind.CUSTOMER, id=CHAT.id, name="Ann <script>")


def test_customer_text_is_escaped_and_a_burst_reads_as_one_post(app: BridgeApp) -> None:
    events = [ChatEvent(id=f"1-{i}", chat_id=CHAT.id, kind=EventKind.MESSAGE, ts=1.0, author=ANN, text=t)
              for i, t in enumerate(["<b>hi</b>", "a & b"])]
    entries = [e for ev in events for e in event_entries(ev, CHAT, "$root", app.config)]
    assert len({e.coalesce for e in entries}) == 1 and len({e.key for e in entries}) == 2
    content = text_post(entries)
    assert content["body"] == "Ann <script>: <b>hi</b>\na & b"
    assert content["formatted_body"] == "<b>Ann &lt;script&gt;:</b> &lt;b&gt;hi&lt;/b&gt;<br>a &amp; b"


def test_notes_cards_and_routing_chatter(app: BridgeApp) -> None:
    alice = Author(kind=AuthorKind.AGENT, id="alice", name="Alice")
    note = ChatEvent(id="2-0", chat_id=CHAT.id, kind=EventKind.NOTE, ts=1.0, author=alice, text="<vip>", internal=True)
    card = ChatEvent(id="2-1", chat_id=CHAT.id, kind=EventKind.CARD, ts=1.0, author=alice,
                     data={"title": "Refunds", "url": "javascript:alert(1)", "summary": "How"})
    typing = ChatEvent(id="2-2", chat_id=CHAT.id, kind=EventKind.TYPING, ts=1.0)
    [n] = event_entries(note, CHAT, "$r", app.config)
    [c] = event_entries(card, CHAT, "$r", app.config)
    assert n.msgtype == "m.notice" and "&lt;vip&gt;" in n.html and "internal note" in n.label
    assert "href" not in c.html, "only http(s) links become links"
    assert event_entries(typing, CHAT, "$r", app.config) == []


def test_tags_and_the_outcome_are_notices_with_escaped_names(app: BridgeApp) -> None:
    alice = Author(kind=AuthorKind.AGENT, id="alice", name="Alice <b>")
    tagged = ChatEvent(id="3-0", chat_id=CHAT.id, kind=EventKind.TAGGED, ts=1.0, author=alice, internal=True,
                       text="Tagged: refund", data={"added": ["refund"], "removed": ["spam"], "tags": ["refund"]})
    outcome = ChatEvent(id="3-1", chat_id=CHAT.id, kind=EventKind.OUTCOME, ts=1.0, author=alice, internal=True,
                        text="Outcome: spam", data={"outcome": "spam", "by": "alice"})
    [t] = event_entries(tagged, CHAT, "$r", app.config)
    [o] = event_entries(outcome, CHAT, "$r", app.config)
    assert (t.msgtype, o.msgtype) == ("m.notice", "m.notice")
    assert t.body == "🏷 Alice <b> tagged the chat: refund; took off the tags: spam"
    assert t.html == "🏷 Alice &lt;b&gt; tagged the chat: refund; took off the tags: spam"
    assert (o.body, o.html) == ("🔖 Outcome: spam (Alice <b>)", "🔖 Outcome: spam (Alice &lt;b&gt;)")


def test_offer_card_and_its_final_edit() -> None:
    offer = Offer(id="of1", chat_id=CHAT.id, agent_id="alice", queue="general", created_at=1.0, deadline=31.0)
    view = OfferView(offer=offer, chat=CHAT, queue_display_name="General", waited_seconds=75,
                     first_message="<img src=x>")
    card = offer_card(view)
    assert card["msgtype"] == "m.text"
    assert "Waiting: 1 min 15 s" in card["body"] and "&lt;img src=x&gt;" in card["formatted_body"]
    edit = replacing("$card", offer_card(view, OfferState.TAKEN))
    assert edit["m.relates_to"] == {"rel_type": "m.replace", "event_id": "$card"}
    assert edit["m.new_content"]["body"].startswith("Taken by someone else")
    assert edit["body"].startswith("* ")


def test_a_final_offer_card_says_how_it_ended() -> None:
    offer = Offer(id="of1", chat_id=CHAT.id, agent_id="alice", queue="general", created_at=1.0, deadline=31.0)
    view = OfferView(offer=offer, chat=CHAT, queue_display_name="General", waited_seconds=4500, first_message="")
    titles = {state: offer_card(view, state)["body"].split("\n")[0] for state in OfferState if state.final}
    assert titles == {
        OfferState.ACCEPTED: "✅ Accepted: chat with Ann <script>",
        OfferState.DECLINED: "❌ Declined: chat with Ann <script>",
        OfferState.EXPIRED: "⌛ Expired: no answer in time: chat with Ann <script>",
        OfferState.TAKEN: "Taken by someone else: chat with Ann <script>",
        OfferState.WITHDRAWN: "Withdrawn: the chat ended or moved: chat with Ann <script>",
    }
    assert "Waiting: 1 h 15 min" in offer_card(view)["body"]


def test_replies_page_and_show_commands_for_buttons() -> None:
    items = tuple(Item(title=f"item {i}", actions=(Action("Send", f"csr phrase send p{i}"),)) for i in range(40))
    pages = render_reply(ItemList(title="Phrases", items=items), "!csr")
    assert len(pages) == 3 and pages[0][0].startswith("Phrases (1/3)")
    assert "Send: !csr phrase send p0" in pages[0][0]
    [table] = render_reply(Table(title="Load", columns=("CSR", "chats"), rows=(("Alice", "2"),)), "!csr")
    assert "<td>Alice</td>" in table[1] and "Alice  2" in table[0]
    [choice] = render_reply(Choices(text="Pick", actions=(Action("End", "csr end k3"),)), "!csr")
    assert "!csr end k3" in choice[0]
    [error] = render_reply(Text("Use `csr help` <now>", error=True), "!csr")
    assert error[1] == "⚠️ Use <code>csr help</code> &lt;now&gt;"


def test_relations_and_reactions() -> None:
    threaded = in_thread({"body": "x"}, "$root", "$last")
    assert relation_of(threaded).thread_root == "$root" and relation_of(threaded).reply_to == "$last"
    assert relation_of({"m.relates_to": {"rel_type": "m.replace", "event_id": "$e"}}).replaces == "$e"
    assert strip_reply_fallback("> <@bob:hs> quoted\n> more\n\nmy answer") == "my answer"
    assert [answer_of(k) for k in ("✅", "👍🏽", "✔️", "❌", "🎉")] == ["accept", "accept", "accept", "decline", ""]


async def test_outbox_queues_once_and_keeps_a_batch_across_a_retry(app: BridgeApp) -> None:
    outbox = Outbox(app.redis, app.keys)
    posts = [OutboxEntry(key=f"k{i}", thread="$t", body=str(i), coalesce="c") for i in range(3)]
    assert [await outbox.put("!r", p) for p in posts] == [True, True, True]
    assert await outbox.put("!r", posts[0]) is False
    batch = await outbox.take(Lane("!r", "$t"))
    assert batch is not None and [e.body for e in batch.entries] == ["0", "1", "2"]
    await outbox.put("!r", OutboxEntry(key="k3", thread="$t", body="3", coalesce="c"))
    again = await outbox.take(Lane("!r", "$t"))
    assert again is not None and again.tx_id == batch.tx_id and len(again.entries) == 3
    assert await outbox.done(again, "$sent") == 1
    last = await outbox.take(Lane("!r", "$t"))
    assert last is not None and [e.body for e in last.entries] == ["3"] and last.tx_id != batch.tx_id
    assert last.latest == "$sent", "the next post in the thread replies to the one just sent"
    assert await outbox.done(last, "$sent2") == 0
    assert await outbox.lanes() == []


async def test_a_merged_post_stops_at_the_size_limit_and_at_another_author(app: BridgeApp) -> None:
    outbox, lane = Outbox(app.redis, app.keys), Lane("!r", "$t")
    big = "é\"" * (MAX_BATCH_BYTES // 24)  # 4 bytes a pair JSON-encoded, in body and HTML: a third of the limit
    for i in range(4):
        await outbox.put("!r", OutboxEntry(key=f"b{i}", thread="$t", body=big, html=big, coalesce="c"))
    await outbox.put("!r", OutboxEntry(key="other", thread="$t", body="hi", coalesce="a:alice"))
    sizes = []
    while batch := await outbox.take(lane):
        sizes.append([e.key for e in batch.entries])
        await outbox.done(batch, f"$e{len(sizes)}")
    assert sizes == [["b0", "b1"], ["b2", "b3"], ["other"]]


def test_a_long_message_is_cut_into_posts_that_fit_a_matrix_event(app: BridgeApp) -> None:
    text = ("😀 <&> " * 3000).strip()
    event = ChatEvent(id="3-0", chat_id=CHAT.id, kind=EventKind.MESSAGE, ts=1.0, author=ANN, text=text)
    entries = event_entries(event, CHAT, "$r", app.config)
    assert len(entries) > 1 and " ".join(e.body for e in entries) == text
    for entry in entries:
        assert len(json.dumps(text_post([entry]))) < 64 * 1024
