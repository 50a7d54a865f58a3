"""`csr phrase` sends the phrase in the customer's language when it has that translation, else the default
language's; the CSR is told which language went out, and check-config names a bad translation by its path."""

from pathlib import Path

import pytest
from redis.asyncio import Redis

from bridge.commands.replies import ItemList, Text
from bridge.config import ConfigError, parse_config
from bridge.domain.chat import ChatState, Customer
from bridge.domain.events import EventKind
from tests.knowledge.helpers import boot, run, tools_raw

PHRASES = [{"key": "greet", "title": "Greeting",
            "text": {"en": "Hi {customer.first_name}, I'm {agent.name}.", "de": "Hallo {customer.first_name}, "
                     "ich bin {agent.name}.", "ar": "مرحبًا {customer.first_name}، أنا {agent.name}."}},
           {"key": "bye", "title": "Goodbye", "text": {"de": "Tschüss!", "fr": "Au revoir !"}},
           {"key": "plain", "title": "Plain", "text": "Thanks, {customer.first_name}."}]


async def chat_in(app, language: str):  # noqa: ANN001, ANN201 (an app and a Chat)
    chat = await app.service.start_chat(Customer(name="Eve Adams", language=language), "question", "general", 0, "")
    await app.redis.hset(app.keys.chat(chat.id), mapping={"state": ChatState.ACTIVE, "agent_id": "alice",
                                                          "platform": "slack"})
    return chat


async def sent(app, chat_id: str) -> str:  # noqa: ANN001
    return (await app.stream.read_all(chat_id))[-1].text


@pytest.mark.parametrize("language, greet, bye", [
    ("de", "Hallo Eve, ich bin Alice.", "Tschüss!"),
    ("ar", "مرحبًا Eve، أنا Alice.", "Tschüss!"),  # no Arabic goodbye: the default language's, else the first
    ("fr", "Hi Eve, I'm Alice.", "Au revoir !"),
    ("", "Hi Eve, I'm Alice.", "Tschüss!"),
])
async def test_phrases_go_out_in_the_customers_language(tmp_path: Path, redis: Redis, redis_url: str,
                                                        language: str, greet: str, bye: str) -> None:
    app = boot(tmp_path, redis, redis_url, knowledge={"phrases": PHRASES})
    chat = await chat_in(app, language)
    listing = await run(app, "csr phrase", chat_id=chat.id)
    assert isinstance(listing, ItemList) and listing.items[0].detail == greet, "the preview is what goes out"
    reply = await run(app, f"csr phrase {chat.id} greet")
    assert isinstance(reply, Text) and not reply.error
    assert reply.text.endswith({"de": " in German (de).", "ar": " in Arabic (ar).", "fr": " in French (fr).",
                                "": " to Eve Adams."}[language])
    assert await sent(app, chat.id) == greet
    await run(app, f"csr phrase {chat.id} bye")
    assert await sent(app, chat.id) == bye
    await run(app, f"csr phrase {chat.id} plain")
    last = (await app.stream.read_all(chat.id))[-1]
    assert last.kind == EventKind.MESSAGE and last.text == "Thanks, Eve."


def test_check_config_checks_every_translation_of_a_phrase(redis_url: str) -> None:
    raw = tools_raw(redis_url, knowledge={"phrases": [{"key": "x", "title": "X", "text": {
        "en": "Hi {customer.name}", "de": "Hallo {kunde.name}", "xx": "??"}}]})
    with pytest.raises(ConfigError) as err:
        parse_config(raw, environ={})
    problems = [str(p) for p in err.value.problems]
    assert any(p.startswith("knowledge.phrases[0].text.de") and "unknown variable {kunde.name}" in p
               for p in problems), problems
    assert any(p.startswith("knowledge.phrases[0].text") and "unknown language 'xx'" in p for p in problems)
