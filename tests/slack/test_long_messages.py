"""A customer's words reach the thread whole, however long and however many `&` they hold.

Slack keeps 40,000 characters of a post's text, counted after escaping (`&` is five), so a burst is
merged only while it fits and a message too long for one post goes in parts, each within the limit.
"""

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack.mrkdwn import escaped_length
from adapters.slack.render.events import MAX_TEXT, customer_burst
from bridge.domain.chat import Chat, Customer
from bridge.ports import ThreadRef
from tests.slack.bridge import CHANNELS, InProcessBridge
from tests.slack.helpers import active_chat, thread_of

SLACK_LIMIT = 40_000
CHAT = Chat(id="c1", customer=Customer(name="Ann"), topic="question", queue="general", created_at=1.0)
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def delivered(texts: list[str], limit: int) -> list[str]:
    """What the thread shows of `texts`, message by message, delivering bursts as the writer does."""
    out: list[str] = []
    while texts:
        burst = customer_burst(CHAT, texts, "", limit)
        assert 1 <= burst.carried <= len(texts)
        for post in burst.posts:
            assert post.text and utf16(post.text) <= limit, (limit, post.text)
            assert post.username == "Ann (customer)"
        if burst.carried > 1:
            assert len(burst.posts) == 1
            out += unescape(burst.posts[0].text).split("\n")
        else:
            out.append("".join(unescape(p.text) for p in burst.posts))
        texts = texts[burst.carried:]
    return out


TEXT = st.text(alphabet=st.sampled_from("&<>  \nab\u00e9\u4e2d\U0001f600\x00\u200b"), min_size=1, max_size=60)


@PROPERTY
@given(texts=st.lists(TEXT.filter(lambda t: "\n" not in t), min_size=1, max_size=8), limit=st.integers(5, 90))
def test_any_burst_arrives_whole_in_order_and_within_the_limit(texts: list[str], limit: int) -> None:
    assert delivered(texts, limit) == texts


@PROPERTY
@given(texts=st.lists(TEXT, min_size=1, max_size=6), limit=st.integers(5, 90))
def test_a_message_with_line_ends_is_never_cut(texts: list[str], limit: int) -> None:
    """Line ends join merged messages too, so compare the whole: nothing lost, nothing added, same order."""
    assert "\n".join(delivered(texts, limit)) == "\n".join(texts)


RUNS = st.lists(st.tuples(st.sampled_from("&<a😀 "), st.integers(1, 12_000)), min_size=1, max_size=4)


@settings(max_examples=60, deadline=None)
@given(messages=st.lists(RUNS.map(lambda runs: "".join(c * n for c, n in runs)), min_size=1, max_size=5))
def test_bursts_of_long_messages_fit_slack_at_its_real_limit(messages: list[str]) -> None:
    assert delivered(messages, MAX_TEXT) == messages


def customer_posts(bridge: InProcessBridge, channel: str, root: str) -> list[dict[str, Any]]:
    return [m for m in bridge.fake.thread(channel, root) if (m.get("username") or "").endswith("(customer)")]


def reassembled(posts: list[dict[str, Any]]) -> list[str]:
    """The messages the posts show: parts of one message (metadata part > 1) continue the one before."""
    messages: list[str] = []
    for post in posts:
        part = int(((post.get("metadata") or {}).get("event_payload") or {}).get("part") or 1)
        text = unescape(post["text"])
        if part > 1:
            messages[-1] += text
        else:
            messages += text.split("\n")
    return messages


async def test_a_burst_of_three_messages_of_3000_ampersands_arrives_whole(bridge: InProcessBridge) -> None:
    """The burst is waiting in the stream when its turn comes, as when the channel's pace held it back."""
    app = bridge.app
    chat, thread = await chat_without_delivery(bridge)
    burst = ["&" * 3000 for _ in range(3)]
    events = [await app.service.customer_message(chat.id, text) for text in burst]
    surface, ids, n = app.surfaces["slack"], [e.id for e in events], 0
    while n < len(events):
        n = ids.index(await surface.deliver(thread, chat, events[n], events[n + 1:], False)) + 1
    posts = customer_posts(bridge, CHANNELS["general"], thread.thread_id)
    assert reassembled(posts) == burst
    assert len(posts) == 2, "two fit one post (30,001 characters escaped), the third takes another"
    assert all(len(p["text"]) <= SLACK_LIMIT for p in posts)


async def chat_without_delivery(bridge: InProcessBridge) -> tuple[Chat, ThreadRef]:
    """A chat no delivery runs for (no platform yet), and a thread opened for it by hand."""
    app = bridge.app
    chat = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "")
    return chat, await app.surfaces["slack"].open_thread(chat, app.agent("alice"))


async def test_a_message_too_long_for_one_post_goes_in_parts(bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app, first="hello")
    channel, root = await thread_of(bridge, chat)
    text = "fish & chips " * 3076 + "&" * 12
    await bridge.app.service.customer_message(chat.id, text)
    await bridge.app.service.customer_message(chat.id, "after")
    await bridge.fake.wait_for(lambda: any(p["text"] == "after" for p in customer_posts(bridge, channel, root)),
                               timeout=20)
    await bridge.settle()
    posts = customer_posts(bridge, channel, root)
    assert reassembled(posts) == ["hello", text, "after"]
    assert len(posts) == 4, [escaped_length(unescape(p["text"])) for p in posts]
    assert all(len(p["text"]) <= SLACK_LIMIT for p in posts)
    assert all(p["text"].endswith(("chips ", "&amp;", "hello", "after")) for p in posts), "cut between words"


async def test_a_long_message_cut_off_by_a_failure_posts_only_its_missing_parts(bridge: InProcessBridge) -> None:
    app = bridge.app
    chat, thread = await chat_without_delivery(bridge)
    text = "&" * 40_000
    event = await app.service.customer_message(chat.id, text)
    surface = app.surfaces["slack"]
    bridge.fake.fail("chat.postMessage", "invalid_arguments", after=2)
    try:
        await surface.deliver(thread, chat, event, (), False)
    except Exception:  # Slack refused the third part; delivery keeps the event and tries again
        pass
    assert await surface.deliver(thread, chat, event, (), True) == event.id
    posts = customer_posts(bridge, CHANNELS["general"], thread.thread_id)
    assert reassembled(posts) == [text]
    parts = [json.dumps(p["metadata"]["event_payload"]) for p in posts]
    assert len(parts) == len(set(parts)) == 6, "each part once"
