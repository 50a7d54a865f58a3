"""Block Kit rendering within Slack's limits, mrkdwn escaping, and the commands modals build."""

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from redis.asyncio import Redis

from adapters.slack.chat_actions import ModalContext, command, modal
from adapters.slack.mrkdwn import escape, to_plain
from adapters.slack.render.blocks import MAX_BLOCKS, sections, split_text
from adapters.slack.render.cards import offer_card, thread_header
from adapters.slack.render.events import render_event
from adapters.slack.render.replies import render_reply
from bridge.app import BridgeApp
from bridge.commands.parser import parse
from bridge.commands.replies import Action, Choices, Item, ItemList, Table, Text
from bridge.domain.chat import Chat, ChatState, Customer
from bridge.domain.events import Author, AuthorKind, ChatEvent, EventKind
from bridge.domain.offer import Offer, OfferState
from bridge.ports import OfferView
from testkit.fake_blocks import check_blocks, check_view
from tests.routing.helpers import app_with

CHAT = Chat(id="k3f9x2abcd", customer=Customer(name="Ann <!channel>"), topic="billing & more", queue="general",
            state=ChatState.ACTIVE, agent_id="alice", platform="slack", created_at=1000.0, escalated_at=1000.0,
            accepted_at=1042.0)


WHOLE_ENTITIES = re.compile(r"(?:[^&]|&amp;|&lt;|&gt;)*", re.DOTALL)


@given(text=st.text(alphabet="&<> \nab", min_size=1), limit=st.integers(10, 60))
def test_long_mrkdwn_is_split_between_entities_never_inside_one(text: str, limit: int) -> None:
    parts = split_text(escape(text), limit)
    assert all(len(p) <= limit and WHOLE_ENTITIES.fullmatch(p) for p in parts), parts
    assert "".join(parts).replace("\n", "") == escape(text).replace("\n", "")


def test_a_section_of_many_ampersands_shows_each_of_them() -> None:
    texts = [block["text"]["text"] for block in sections(escape("x" + "&" * 1000))]
    assert len(texts) == 2
    assert [to_plain(t) for t in texts] == ["x" + "&" * 599, "&" * 401]


@given(st.text())
def test_escaped_text_can_never_form_a_mention_or_link(text: str) -> None:
    escaped = escape(text)
    assert "<" not in escaped and ">" not in escaped
    assert to_plain(escaped) == text


def test_inbound_markup_reads_as_plain_text() -> None:
    slack = "Hi <@U0BOB|bob>, see <https://x.example/a?b=1&amp;c=2|the page> &amp; <#C1|general> <!here> 1 &lt; 2"
    assert to_plain(slack) == "Hi @bob, see the page (https://x.example/a?b=1&c=2) & #general @here 1 < 2"


def test_long_text_is_split_into_sections_and_pages_within_limits() -> None:
    pages = render_reply(Text("line of text\n" * 20_000))
    assert len(pages) > 1
    for page in pages:
        assert check_blocks(page.blocks, MAX_BLOCKS) == []


def test_a_long_list_with_buttons_paginates_and_each_button_runs_its_command() -> None:
    items = tuple(Item(title=f"Article <{n}>", detail="x" * 500, url="https://example.com/a",
                       actions=(Action("Send", f"csr article send a{n}", "primary"),)) for n in range(120))
    pages = render_reply(ItemList(title="Articles", items=items))
    assert len(pages) >= 5
    values = []
    for page in pages:
        assert check_blocks(page.blocks, MAX_BLOCKS) == []
        values += [e["value"] for b in page.blocks if b["type"] == "actions" for e in b["elements"]]
    assert values == [f"csr article send a{n}" for n in range(120)]
    assert "<https://example.com/a|Article &lt;0&gt;>" in str(pages[0].blocks)


def test_a_table_renders_as_aligned_monospace_rows_within_limits() -> None:
    rows = tuple((f"agent{n}", "available" if n % 2 else "away", str(n)) for n in range(400))
    pages = render_reply(Table(title="Agents", columns=("agent", "presence", "load"), rows=rows))
    text = "".join(b["text"]["text"] for p in pages for b in p.blocks if b["type"] == "section")
    assert "agent399  available  399" in text
    for page in pages:
        assert check_blocks(page.blocks, MAX_BLOCKS) == []


def test_choices_become_buttons_with_unique_action_ids() -> None:
    [page] = render_reply(Choices("Pick", tuple(Action(f"Choice {n}", f"csr x {n}") for n in range(30))))
    assert check_blocks(page.blocks, MAX_BLOCKS) == []
    ids = [e["action_id"] for b in page.blocks if b["type"] == "actions" for e in b["elements"]]
    assert len(ids) == len(set(ids)) == 30


@pytest.mark.parametrize("state", list(OfferState))
def test_offer_card_has_buttons_only_while_pending(state: OfferState) -> None:
    offer = Offer(id="off1", chat_id=CHAT.id, agent_id="alice", queue="general", state=state, created_at=1.0,
                  deadline=31.0)
    card = offer_card(OfferView(offer=offer, chat=CHAT, queue_display_name="General", waited_seconds=75,
                                first_message="<!channel> help"))
    assert check_blocks(card.blocks, MAX_BLOCKS) == []
    has_buttons = any(b["type"] == "actions" for b in card.blocks)
    assert has_buttons == (state is OfferState.PENDING)
    assert "&lt;!channel&gt; help" in str(card.blocks) and "1m 15s" in str(card.blocks)


def test_a_final_offer_card_says_how_it_ended() -> None:
    said = {}
    for state in OfferState:
        if state.final:
            offer = Offer(id="off1", chat_id=CHAT.id, agent_id="alice", queue="general", state=state,
                          created_at=1.0, deadline=31.0)
            card = offer_card(OfferView(offer=offer, chat=CHAT, queue_display_name="General", waited_seconds=4500,
                                        first_message=""))
            said[state] = card.blocks[-1]["text"]["text"]
    assert said == {
        OfferState.ACCEPTED: ":white_check_mark: You accepted this chat. It continues in its thread.",
        OfferState.DECLINED: ":no_entry_sign: You declined this chat.",
        OfferState.EXPIRED: ":hourglass: This offer expired before it was answered.",
        OfferState.TAKEN: ":busts_in_silhouette: Someone else took this chat.",
        OfferState.WITHDRAWN: ":leftwards_arrow_with_hook: This offer was withdrawn: the chat ended or moved.",
    }


def test_the_header_loses_its_buttons_when_the_chat_ends() -> None:
    open_header = thread_header(CHAT, "Alice", "General", "//", 1100.0)
    closed = CHAT.model_copy(update={"state": ChatState.CLOSED, "closed_at": 1300.0, "close_reason": "resolved"})
    closed_header = thread_header(closed, "Alice", "General", "//", 1400.0)
    assert check_blocks(open_header.blocks, MAX_BLOCKS) == [] == check_blocks(closed_header.blocks, MAX_BLOCKS)
    assert any(b["type"] == "actions" for b in open_header.blocks)
    assert not any(b["type"] == "actions" for b in closed_header.blocks)
    assert "billing &amp; more" in str(open_header.blocks)


def test_kinds_that_dont_belong_in_a_thread_render_to_nothing() -> None:
    def event(kind: EventKind) -> ChatEvent:
        return ChatEvent(chat_id=CHAT.id, kind=kind, ts=1.0, text="x",
                         author=Author(kind=AuthorKind.SYSTEM, name="CSR Bridge"))

    for kind in (EventKind.TYPING, EventKind.POSITION, EventKind.QUEUED, EventKind.OFFERED, EventKind.MISSED):
        assert render_event(CHAT, event(kind), "") == []
    for kind in (EventKind.NOTICE, EventKind.CLOSED, EventKind.TRANSFERRED, EventKind.ACCEPTED, EventKind.NOTE):
        assert len(render_event(CHAT, event(kind), "")) == 1


@pytest.mark.parametrize("action", ["phrase", "article", "push", "transfer", "end"])
def test_every_modal_is_valid_block_kit_and_remembers_its_chat(app: BridgeApp, action: str) -> None:
    view = modal(ModalContext(action, CHAT.id, "CGENERAL", "1.2"), app.commands.specs[action], CHAT, app.config)
    assert check_view(view) == []
    assert ModalContext.load(view["private_metadata"]) == ModalContext(action, CHAT.id, "CGENERAL", "1.2")


@pytest.mark.parametrize(("action", "values", "name", "args"), [
    ("phrase", {"phrase": "greet"}, "phrase", ("greet",)),
    ("push", {"url": "https://example.com/a b", "title": "Don't \"panic\""}, "push",
     ("https://example.com/a b", "Don't \"panic\"")),
    ("transfer", {"target": "@bob", "note": "it's about \"billing\""}, "transfer", ("@bob", "it's about \"billing\"")),
    ("article", {"query": "can't log in"}, "article", ("can", "t", "log", "in")),
    ("end", {}, "end", ()),
])
def test_modal_input_becomes_one_parseable_command(app: BridgeApp, action: str, values: dict, name: str,
                                                   args: tuple) -> None:
    parsed = parse(command(app.commands.specs[action], values))
    assert (parsed.name, parsed.args) == (name, args)


def test_a_rating_shows_the_widgets_score_and_the_comment_escaped() -> None:
    rating = ChatEvent(chat_id=CHAT.id, kind=EventKind.RATING, ts=1.0, data={"score": 4, "comment": "<!here> ok"},
                       author=Author(kind=AuthorKind.CUSTOMER, name="Ann"))
    [post] = render_event(CHAT, rating, "")
    assert "rated the chat 4/5" in post.text
    assert "&lt;!here&gt; ok" in post.text and "<!here>" not in post.text


def test_tags_and_the_outcome_show_in_the_thread_escaped() -> None:
    alice = Author(kind=AuthorKind.AGENT, id="alice", name="Alice <!here>")

    def posted(kind: EventKind, data: dict) -> str:
        [post] = render_event(CHAT, ChatEvent(chat_id=CHAT.id, kind=kind, ts=1.0, author=alice, internal=True,
                                              text="plain words", data=data), "")
        return post.text

    assert posted(EventKind.TAGGED, {"added": ["refund", "vip"], "removed": [], "tags": ["refund", "vip"]}) == \
        ":label: Alice &lt;!here&gt; tagged the chat: refund, vip"
    assert posted(EventKind.TAGGED, {"added": [], "removed": ["spam"], "tags": []}) == \
        ":label: Alice &lt;!here&gt; took off the tags: spam"
    assert posted(EventKind.TAGGED, {"added": "<!channel>"}) == ":label: Alice &lt;!here&gt; changed the chat's tags"
    assert posted(EventKind.OUTCOME, {"outcome": "resolved", "by": "alice"}) == \
        ":bookmark: Outcome: resolved (Alice &lt;!here&gt;)"


def test_the_end_modal_offers_the_configured_outcomes(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = app_with(tmp_path, redis, redis_url, chats={"outcomes": ["resolved", "follow-up", "spam"]})
    spec = app.commands.specs["end"]
    view = modal(ModalContext("end", CHAT.id, "CGENERAL", "1.2"), spec, CHAT, app.config)
    assert check_view(view) == []
    [field] = [b for b in view["blocks"] if b["type"] == "input"]
    assert field["optional"] and [o["value"] for o in field["element"]["options"]] == ["resolved", "follow-up", "spam"]
    assert parse(command(spec, {"outcome": "follow-up"})).args == ("follow-up",)
    assert parse(command(spec, {})).args == ()
