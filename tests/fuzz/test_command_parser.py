"""Random command text: the parser never fails except on length, and the bus always answers with a reply.

The bus test aims the text at real command names with arguments that matter (chat ids, agent ids,
queues, numbers, quotes), run by a CSR and by a supervisor: whatever they type, a handler may refuse
but never raises to the adapter.
"""

import shlex

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.app import BridgeApp
from bridge.clock import now
from bridge.commands.context import CommandContext
from bridge.commands.parser import MAX_COMMAND_CHARS, ParsedCommand, ParseError, parse
from bridge.commands.replies import Choices, FileReply, Form, ItemList, Table, Text
from bridge.domain.chat import ChatState, Customer

REPLIES = (Text, ItemList, Table, Choices, FileReply, Form)
PREFIXES = ("csr", "/csr", "!csr", "CSR", "")
WORD = st.text(st.characters(blacklist_categories=("Cs", "Zs", "Cc")), min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_parses_or_is_refused_for_length(text: str) -> None:
    cmd = parse(text)
    assert cmd.name == cmd.name.lower() and cmd.name and not any(ch.isspace() for ch in cmd.name)
    assert cmd.rest in text
    assert all(isinstance(a, str) for a in cmd.args)


def test_any_whitespace_ends_the_command_name() -> None:
    """Found by the test above: `csr note` followed by a new line or a tab was an unknown command."""
    assert parse("csr note\nline one\nline two") == ParsedCommand("note", ("line", "one", "line", "two"),
                                                                   "line one\nline two")
    assert parse("!csr\tavailable").name == "available"


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=MAX_COMMAND_CHARS + 1, max_size=MAX_COMMAND_CHARS + 50).filter(
    lambda t: len(t.strip()) > MAX_COMMAND_CHARS))
def test_overlong_text_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse(text)


@settings(max_examples=200, deadline=None)
@given(prefix=st.sampled_from(PREFIXES), name=st.from_regex(r"[a-z][a-z-]{0,10}", fullmatch=True),
       args=st.lists(WORD, max_size=5))
def test_quoted_arguments_come_back_as_typed(prefix: str, name: str, args: list[str]) -> None:
    if name in {"csr"}:
        return
    cmd = parse(f"{prefix} {name} {shlex.join(args)}")
    assert cmd.name == name
    assert cmd.args == tuple(args)


ARG = st.one_of(
    WORD, st.sampled_from(["alice", "@bob", "bob", "sam", "nobody", "general", "billing", "tech", "nope",
                           "0", "-1", "99999999999999999999", "1.5", "nan", "''", '"', "'", "--", "@", "#", "*",
                           "available", "away", "busy", "txt", "html", "json", "7d", "24h", "all"]),
    st.integers(-10**6, 10**6).map(str), st.text(max_size=30),
)


@pytest.fixture
async def chats(app: BridgeApp) -> list[str]:
    """An active chat of alice's, a waiting one and a closed one, to be named in commands."""
    ids = []
    for state in (ChatState.ACTIVE, ChatState.WAITING, ChatState.CLOSED):
        chat = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "Hi")
        await app.redis.hset(app.keys.chat(chat.id), mapping={"state": state, "agent_id": "alice",
                                                              "platform": "test", "accepted_at": now()})
        ids.append(chat.id)
    return ids


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
async def test_the_bus_answers_every_command_with_a_reply(app: BridgeApp, chats: list[str],
                                                          data: st.DataObject) -> None:
    names = sorted({alias for spec in app.commands.specs.values() for alias in (spec.name, *spec.aliases)})
    name = data.draw(st.sampled_from(names) | WORD, label="name")
    args = data.draw(st.lists(ARG | st.sampled_from(chats), max_size=4), label="args")
    caller = data.draw(st.sampled_from(["alice", "sam", "bob"]), label="caller")
    in_thread = data.draw(st.sampled_from(["", *chats]), label="thread chat")
    quote = data.draw(st.booleans(), label="quoted")
    text = f"csr {name} " + (shlex.join(args) if quote else " ".join(args))
    ctx = CommandContext(platform="test", user_id=f"U{caller}", agent=app.agent(caller), chat_id=in_thread)
    reply = await app.commands.run(text, ctx)
    assert isinstance(reply, REPLIES), reply
