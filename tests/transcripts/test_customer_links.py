"""Customers and their chats in the SQL store (SQLite and PostgreSQL): a verified customer's chats are
one history whatever the browser; a browser-session customer's are theirs only; a customer without an id
(an older widget) is linked to nobody."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bridge.domain.chat import Chat, ChatState, Customer
from bridge.domain.events import Author, AuthorKind, ChatEvent, EventKind, Origin
from tests.support.postgres import own_database
from transcripts.store import TranscriptStore


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[TranscriptStore]:
    if request.param == "sqlite":
        made = TranscriptStore(f"sqlite+aiosqlite:///{tmp_path}/t.db")
        yield made
        await made.close()
        return
    async with own_database() as url:
        made = TranscriptStore(url)
        yield made
        await made.close()


def _chat(chat_id: str, customer: Customer, created: float, agent: str = "alice") -> Chat:
    return Chat(id=chat_id, customer=customer, topic="billing", queue="billing", state=ChatState.CLOSED,
                agent_id=agent, created_at=created, closed_at=created + 60)


def _rating(chat_id: str, score: int) -> ChatEvent:
    return ChatEvent(chat_id=chat_id, kind=EventKind.RATING, ts=1.0, data={"score": score},
                     author=Author(kind=AuthorKind.CUSTOMER, id=chat_id, name="x"), origin=Origin(platform="widget"))


VERIFIED = Customer(name="Eve", email="eve@example.com", id="v_1", user_id="u-42", verified=True,
                    attributes={"plan": "enterprise"})


async def test_verified_chats_form_one_history(store: TranscriptStore) -> None:
    await store.save(_chat("c1", VERIFIED, 100.0, "alice"), [_rating("c1", 5)], [])
    await store.save(_chat("c2", VERIFIED.model_copy(update={"email": "eve@new.example"}), 200.0, "bob"), [], [])
    await store.save(_chat("c2", VERIFIED.model_copy(update={"email": "eve@new.example"}), 200.0, "bob"), [], [])
    count, chats = await store.history("v_1", except_chat="c3")
    assert count == 2
    assert [(c.chat_id, c.agent_id, c.rating) for c in chats] == [("c2", "bob", None), ("c1", "alice", 5)]
    count, chats = await store.history("v_1", except_chat="c2", limit=5)
    assert (count, [c.chat_id for c in chats]) == (1, ["c1"])


async def test_sessions_and_claimed_emails_link_nobody(store: TranscriptStore) -> None:
    session = Customer(name="Eve", email="eve@example.com", id="s_abc")
    await store.save(_chat("c1", VERIFIED, 100.0), [], [])
    await store.save(_chat("c2", session, 200.0), [], [])
    await store.save(_chat("c3", Customer(name="Eve", email="eve@example.com"), 300.0), [], [])
    assert [c.chat_id for c in (await store.history("s_abc"))[1]] == ["c2"]
    assert [c.chat_id for c in (await store.history("v_1"))[1]] == ["c1"]
    assert (await store.history(""))[0] == 0


async def test_retention_drops_the_links(store: TranscriptStore) -> None:
    await store.save(_chat("c1", VERIFIED, 100.0), [], [])
    await store.save(_chat("c2", VERIFIED, 10_000.0), [], [])
    assert await store.delete_closed_before(5_000.0) == 1
    count, chats = await store.history("v_1")
    assert (count, [c.chat_id for c in chats]) == (1, ["c2"])
