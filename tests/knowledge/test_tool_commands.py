"""Phrases, articles, suggestions, page push and notes, each run end to end through the command bus."""

from pathlib import Path

from redis.asyncio import Redis

from bridge.commands.replies import ItemList, Text
from bridge.domain.events import EventKind
from tests.knowledge.helpers import active_chat, boot, run
from tests.support.events import conversation


async def test_phrase_lists_the_queue_phrases_and_sends_one_rendered(tmp_path: Path, redis: Redis,
                                                                     redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url)
    chat = await active_chat(app, queue="general", name="Eve <Adams>")
    listing = await run(app, "csr phrase", chat_id=chat.id)
    assert isinstance(listing, ItemList)
    assert [i.title for i in listing.items] == ["Greeting (greet)", "Literal braces (braces)"]
    assert listing.items[0].detail == "Hi Eve, I'm Alice from General."
    assert listing.items[0].actions[0].command == f"csr phrase {chat.id} greet"
    reply = await run(app, f"csr phrase {chat.id} braces")
    assert isinstance(reply, Text) and not reply.error
    sent = (await conversation(app.stream, chat.id))[-1]
    assert sent.kind == EventKind.MESSAGE and sent.author.id == "alice" and sent.customer_visible
    assert sent.text == "Type {this} literally, Eve <Adams>."


async def test_phrase_refusals(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url)
    chat = await active_chat(app, queue="general")
    before = len(await conversation(app.stream, chat.id))
    wrong_queue = await run(app, "csr phrase refund-time", chat_id=chat.id)
    assert isinstance(wrong_queue, Text) and wrong_queue.error and "`greet`" in wrong_queue.text
    not_yours = await run(app, "csr phrase greet", agent_id="bob", chat_id=chat.id)
    assert isinstance(not_yours, Text) and not_yours.error
    assert len(await conversation(app.stream, chat.id)) == before


async def test_article_search_is_private_and_send_shows_a_card(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url)
    chat = await active_chat(app, queue="billing")
    reply = await run(app, "csr article my card was declined", chat_id=chat.id)
    assert isinstance(reply, ItemList) and not reply.public
    assert 1 <= len(reply.items) <= 5
    top = reply.items[0]
    assert top.title == "Payment methods and declined payments"
    assert top.url == "https://help.example.com/articles/payment-methods"
    assert top.actions[0].command == f"csr article {chat.id} send payment-methods"
    assert await conversation(app.stream, chat.id) == []
    sent = await run(app, top.actions[0].command)
    assert isinstance(sent, Text) and not sent.error
    card = (await conversation(app.stream, chat.id))[-1]
    assert card.kind == EventKind.CARD and card.customer_visible and card.author.id == "alice"
    assert card.data == {"title": "Payment methods and declined payments",
                         "summary": "We accept major cards, PayPal and Klarna; a declined card is usually fixed by "
                                    "updating its details.",
                         "url": "https://help.example.com/articles/payment-methods", "article_id": "payment-methods"}


async def test_article_send_refuses_unknown_or_other_queue_articles(tmp_path: Path, redis: Redis,
                                                                    redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url)
    chat = await active_chat(app, queue="tech")
    for text in ("csr article send payment-methods", "csr article send no-such-article"):
        reply = await run(app, text, chat_id=chat.id)
        assert isinstance(reply, Text) and reply.error
    empty = await run(app, "csr article zebra xylophone", chat_id=chat.id)
    assert isinstance(empty, ItemList) and empty.items == () and "zebra" in empty.empty
    assert await conversation(app.stream, chat.id) == []


async def test_suggest_ranks_phrases_and_articles_for_the_latest_messages(tmp_path: Path, redis: Redis,
                                                                          redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url)
    chat = await active_chat(app, queue="billing", messages=("hello", "When will my refund arrive on my card?"))
    reply = await run(app, "csr suggest", chat_id=chat.id)
    assert isinstance(reply, ItemList) and 1 <= len(reply.items) <= 3
    titles = [i.title for i in reply.items]
    assert "Phrase: Refund timing" in titles and "Article: Refunds and returns" in titles
    phrase = reply.items[titles.index("Phrase: Refund timing")]
    assert phrase.detail == "Refunds reach your card within 5 business days."
    assert phrase.actions[0].command == f"csr phrase {chat.id} refund-time"
    article = reply.items[titles.index("Article: Refunds and returns")]
    assert article.actions[0].command == f"csr article {chat.id} send refund-policy"
    await run(app, phrase.actions[0].command)
    assert (await conversation(app.stream, chat.id))[-1].text == "Refunds reach your card within 5 business days."


async def test_suggest_without_customer_words(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url)
    chat = await active_chat(app)
    reply = await run(app, "csr suggest", chat_id=chat.id)
    assert isinstance(reply, Text) and "hasn't written" in reply.text


async def test_push_allows_listed_domains_only(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url)
    chat = await active_chat(app)
    ok = await run(app, 'csr push https://shop.example.com/returns "Start a return"', chat_id=chat.id)
    assert isinstance(ok, Text) and not ok.error
    card = (await conversation(app.stream, chat.id))[-1]
    assert card.kind == EventKind.CARD and card.customer_visible
    assert card.data == {"title": "Start a return", "summary": "shop.example.com", "url": "https://shop.example.com/returns",
                         "push": True, "navigate": False}
    for bad, why in [("javascript:alert(1)", "http"), ("ftp://example.com/x", "http"),
                     ("https://example.com.evil.net/", "allowlist"), ("https://evil.net/?example.com", "allowlist"),
                     ("https://example.com@evil.net/", "user name"), ("https://user:pw@example.com/", "user name"),
                     ("https:///nohost", "nohost is not on the push allowlist"), ("https://", "malformed")]:
        reply = await run(app, f"csr push {bad}", chat_id=chat.id)
        assert isinstance(reply, Text) and reply.error and why in reply.text, (bad, reply)
    assert len(await conversation(app.stream, chat.id)) == 1


async def test_note_is_internal(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url)
    chat = await active_chat(app)
    reply = await run(app, f"csr note {chat.id} customer sounds upset, be gentle")
    assert isinstance(reply, Text) and not reply.error
    note = (await conversation(app.stream, chat.id))[-1]
    assert note.kind == EventKind.NOTE and note.internal and not note.customer_visible
    assert note.text == "customer sounds upset, be gentle" and note.author.name == "Alice"
    supervisor = await run(app, "csr note checked by supervisor", agent_id="sam", chat_id=chat.id)
    assert isinstance(supervisor, Text) and not supervisor.error
    stranger = await run(app, "csr note sneaky", agent_id="bob", chat_id=chat.id)
    assert isinstance(stranger, Text) and stranger.error
    assert [e.text for e in await conversation(app.stream, chat.id)] == ["customer sounds upset, be gentle",
                                                                    "checked by supervisor"]
