"""Whatever a customer types (text, name, rating comment) reaches Slack and Matrix as the characters typed:
never a mention (<!channel>, <!here>, <@U…>, @room), a link (<https://…|…>, <a href>) or other markup."""

from html.parser import HTMLParser
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.matrix.cards import header
from adapters.matrix.cards import offer_card as matrix_offer_card
from adapters.matrix.compose import Composer
from adapters.matrix.outbox import Batch
from adapters.matrix.poster import without_mentions
from adapters.matrix.render import event_entries
from adapters.slack.mrkdwn import escape
from adapters.slack.render.cards import offer_card as slack_offer_card
from adapters.slack.render.cards import thread_header
from adapters.slack.render.events import render_event
from bridge.app import BridgeApp
from bridge.domain.chat import Chat, ChatState, Customer
from bridge.domain.events import Author, AuthorKind, ChatEvent, EventKind, Origin
from bridge.domain.offer import Offer
from bridge.ports import OfferView
from bridge.text import clean_text
from testkit.configs import make_config

NASTY = ["<!channel>", "<!here>", "<!everyone>", "<@UALICE>", "<#C123|general>", "<https://evil.example|https://bank>",
         "<mailto:a@b.c|x>", "@room", "@alice:localhost", "Alice", "&lt;!channel&gt;", "&amp;", "<a href='x'>y</a>",
         "<img src=x onerror=alert(1)>", "<b>bold</b>", "https://matrix.to/#/@alice:localhost", "*bold* _it_ `code`",
         "<", ">", "&", "\n", "]]>", "<!--", "<script>"]
TEXT = st.lists(st.sampled_from(NASTY) | st.text(max_size=20), max_size=6).map("".join)
NAME = TEXT.map(lambda t: clean_text(t).strip()[:80] or "x")  # as the widget takes a name
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CONFIG = make_config(__import__("pathlib").Path("/tmp"))


def _chat(name: str, email: str = "", state: ChatState = ChatState.ACTIVE) -> Chat:
    return Chat(id="c1", customer=Customer(name=name, email=email), topic="question", queue="general",
                state=state, agent_id="alice", created_at=1.0, escalated_at=2.0, accepted_at=3.0)


def _customer_event(kind: EventKind, text: str, name: str, data: dict[str, Any] | None = None) -> ChatEvent:
    return ChatEvent(id="5-0", chat_id="c1", kind=kind, ts=4.0, text=text, data=data or {},
                     author=Author(kind=AuthorKind.CUSTOMER, id="c1", name=name), origin=Origin(platform="widget"))


def _mrkdwn(value: Any) -> list[str]:
    """Every string Slack parses as mrkdwn in a message: its `text` and each mrkdwn text object of its blocks."""
    if isinstance(value, dict):
        found = [value["text"]] if value.get("type") == "mrkdwn" and isinstance(value.get("text"), str) else []
        return found + [s for k, v in value.items() if k != "text" or value.get("type") != "mrkdwn" for s in _mrkdwn(v)]
    if isinstance(value, list):
        return [s for v in value for s in _mrkdwn(v)]
    return []


def _slack_safe(texts: list[str]) -> None:
    """No `<` (mentions and links need one); `>` only as the bridge's own quote marker; `&` only in entities."""
    for text in texts:
        unquoted = "\n".join(line.removeprefix("> ") for line in text.split("\n"))
        assert "<" not in text and ">" not in unquoted, text
        assert text.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "").count("&") == 0, text


@FUZZ
@given(text=TEXT, name=NAME, comment=TEXT)
def test_slack_posts_carry_customer_text_without_markup(text: str, name: str, comment: str) -> None:
    assert escape(text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text
    chat = _chat(name)
    said = clean_text(text) or "x"  # what the bridge keeps of it
    posts = [*render_event(chat, _customer_event(EventKind.MESSAGE, said, name), "https://icon"),
             *render_event(chat, _customer_event(EventKind.RATING, "", name, {"stars": 5, "comment": comment}), "")]
    assert len(posts) >= 2
    for post in posts:
        _slack_safe([post.text, *_mrkdwn(post.blocks)])
    offer = Offer(id="o1", chat_id="c1", agent_id="alice", queue="general", created_at=1.0, deadline=9.0)
    for message in (slack_offer_card(OfferView(offer, chat, "General", 12.0, text)),
                    thread_header(chat, "Alice", "General", "//", 10.0),
                    thread_header(_chat(name, state=ChatState.CLOSED), "Alice", "General", "//", 10.0)):
        _slack_safe([message.text, *_mrkdwn(message.blocks)])


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text += data


BRIDGE_TAGS = {"b", "i", "br", "code", "small"}


def _matrix_safe(content: dict[str, Any], typed: list[str]) -> None:
    content = without_mentions("m.room.message", content)
    assert content["m.mentions"] == {}, "no @room or user pill can ping anyone"
    parser = _Tags()
    parser.feed(str(content["formatted_body"]))
    parser.close()
    assert {tag for tag, _ in parser.tags} <= BRIDGE_TAGS, parser.tags
    assert all(not attrs for _, attrs in parser.tags), parser.tags
    for words in typed:
        for line in clean_text(words).split("\n"):  # what the bridge keeps of what was typed
            assert line in parser.text, (line, parser.text)


@FUZZ
@given(text=TEXT, name=NAME, comment=TEXT, email=st.sampled_from(["", "a@b.c", "<@U1>@x.y", "@room"]))
async def test_matrix_posts_carry_customer_text_without_markup(app: BridgeApp, text: str, name: str, comment: str,
                                                                email: str) -> None:
    chat = _chat(name, email)
    composer = Composer(app.redis, app.keys, media=None)  # type: ignore[arg-type]
    said = clean_text(text) or "x"  # what the bridge keeps of it
    for event, typed in ((_customer_event(EventKind.MESSAGE, said, name), [said, name]),
                         (_customer_event(EventKind.RATING, "", name, {"score": 4, "comment": comment}), [comment])):
        for entry in event_entries(event, chat, "$root", CONFIG):
            _, content = await composer.compose(Batch("!room", ["1-0"], [entry], "tx"))
            _matrix_safe(content, typed)
    _matrix_safe(header(chat, "Alice", CONFIG, "!csr", "//"), [name])
    offer = Offer(id="o1", chat_id="c1", agent_id="alice", queue="general", created_at=1.0, deadline=9.0)
    _matrix_safe(matrix_offer_card(OfferView(offer, chat, "General", 12.0, text)), [name])
