"""The SQL store of archived chats (SQLAlchemy Core, async): SQLite by default, PostgreSQL by URL.

The schema is brought up to date by Alembic on first use in each process. Writing a chat
replaces its earlier record in one transaction, so archiving twice (a retried job) is harmless.
Every database failure surfaces as StoreUnavailable, which callers retry later; when the database was
reached but refused the statement (bad data, a constraint, a full disk) it is the subclass RecordRefused,
which the archive job retries a bounded number of times only. Statement parameters (customer text) never
reach an error message.
"""

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bridge.domain.chat import Chat
from bridge.domain.events import ChatEvent
from bridge.platform_posts import PlatformPost
from transcripts import tables as t
from transcripts.customers import PastChat, link_chat, past_chats
from transcripts.posts import add_posts
from transcripts.rows import chat_from_row, chat_row, event_from_row, event_row, tag_rows

MIGRATIONS = Path(__file__).parent / "migrations"


class StoreUnavailable(Exception):
    """The database could not be reached or refused the write; nothing was changed."""


class RecordRefused(StoreUnavailable):
    """The database was reached but refused a statement: retrying the same record may keep failing."""


@dataclass(frozen=True)
class CaseRow:
    reference: str
    type: str
    fields: dict[str, Any]
    created_at: float
    created_by: str


@dataclass(frozen=True)
class ArchivedChat:
    chat: Chat
    events: list[ChatEvent]
    cases: list[CaseRow]
    archived_at: float


class TranscriptStore:
    def __init__(self, url: str, create_parent: bool = False) -> None:
        self.url = url
        self._create_parent = create_parent
        self._engine: AsyncEngine | None = None
        self._migrated = False
        self._lock = asyncio.Lock()

    async def save(self, chat: Chat, events: list[ChatEvent], cases: list[CaseRow],
                   posts: Sequence[PlatformPost] = ()) -> None:
        """`posts`: what the bridge posted on CSR platforms for the chat; added to those kept from earlier saves."""
        async with self.begin() as conn:
            await conn.execute(delete(t.events).where(t.events.c.chat_id == chat.id))
            await conn.execute(delete(t.cases).where(t.cases.c.chat_id == chat.id))
            await conn.execute(delete(t.tags).where(t.tags.c.chat_id == chat.id))
            await conn.execute(delete(t.chats).where(t.chats.c.id == chat.id))
            await conn.execute(insert(t.chats).values(chat_row(chat, events)))
            if chat.tags:
                await conn.execute(insert(t.tags), tag_rows(chat))
            await link_chat(conn, chat)
            if events:
                await conn.execute(insert(t.events), [event_row(chat.id, i, e) for i, e in enumerate(events)])
            if cases:
                await conn.execute(insert(t.cases), [{"chat_id": chat.id, **c.__dict__} for c in cases])
            await add_posts(conn, chat.id, posts)

    async def add_posts(self, chat_id: str, posts: Sequence[PlatformPost]) -> None:
        async with self.begin() as conn:
            await add_posts(conn, chat_id, posts)

    async def load(self, chat_id: str) -> ArchivedChat | None:
        async with self.begin() as conn:
            row = (await conn.execute(select(t.chats).where(t.chats.c.id == chat_id))).mappings().first()
            if row is None:
                return None
            return (await self._load_rest(conn, [row]))[0]

    async def load_many(self, chat_ids: Sequence[str]) -> list[ArchivedChat]:
        """The archived records of these chats (those the store has), oldest first."""
        if not chat_ids:
            return []
        async with self.begin() as conn:
            rows = (await conn.execute(select(t.chats).where(t.chats.c.id.in_(list(chat_ids)))
                                       .order_by(t.chats.c.created_at, t.chats.c.id))).mappings().all()
            return await self._load_rest(conn, rows)

    async def history(self, customer_id: str, except_chat: str = "", limit: int = 10) -> tuple[int, list[PastChat]]:
        """A customer's archived chats, newest first (all but `except_chat`), and how many there are."""
        async with self.begin() as conn:
            return await past_chats(conn, customer_id, except_chat, limit)

    async def closed_since(self, since: float, queue: str | None = None, tags: Sequence[str] = (),
                           outcome: str | None = None, batch: int = 200) -> AsyncIterator[ArchivedChat]:
        """Chats closed at or after `since`, oldest first, read in batches (exports of any size); only those with
        every one of `tags`, and with `outcome` when given ("" for chats that ended without one)."""
        after = (since, "")
        while True:
            query = (select(t.chats)
                     .where((t.chats.c.closed_at > after[0]) |
                            ((t.chats.c.closed_at == after[0]) & (t.chats.c.id > after[1])))
                     .order_by(t.chats.c.closed_at, t.chats.c.id).limit(batch))
            if queue:
                query = query.where(t.chats.c.queue == queue)
            for tag in tags:
                query = query.where(t.chats.c.id.in_(select(t.tags.c.chat_id).where(t.tags.c.tag == tag)))
            if outcome is not None:
                query = query.where(t.chats.c.outcome == outcome)
            async with self.begin() as conn:
                rows = (await conn.execute(query)).mappings().all()
                records = await self._load_rest(conn, rows)
            for record in records:
                yield record
            if len(rows) < batch:
                return
            after = (rows[-1]["closed_at"], rows[-1]["id"])

    async def delete_closed_before(self, cutoff: float) -> int:
        async with self.begin() as conn:
            ids = select(t.chats.c.id).where(t.chats.c.closed_at < cutoff).scalar_subquery()
            await conn.execute(delete(t.events).where(t.events.c.chat_id.in_(ids)))
            await conn.execute(delete(t.cases).where(t.cases.c.chat_id.in_(ids)))
            await conn.execute(delete(t.tags).where(t.tags.c.chat_id.in_(ids)))
            await conn.execute(delete(t.customer_chats).where(t.customer_chats.c.chat_id.in_(ids)))
            await conn.execute(delete(t.posts).where(t.posts.c.chat_id.in_(ids)))
            result = await conn.execute(delete(t.chats).where(t.chats.c.closed_at < cutoff))
            return int(result.rowcount or 0)

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    async def _load_rest(self, conn: Any, rows: Sequence[Any]) -> list[ArchivedChat]:
        """Events, cases and tags of a batch of chats in three queries, not three a chat."""
        ids = [row["id"] for row in rows]
        events: dict[str, list[ChatEvent]] = defaultdict(list)
        for e in (await conn.execute(select(t.events).where(t.events.c.chat_id.in_(ids))
                                     .order_by(t.events.c.chat_id, t.events.c.seq))).mappings():
            events[e["chat_id"]].append(event_from_row(e["chat_id"], e))
        cases: dict[str, list[CaseRow]] = defaultdict(list)
        for c in (await conn.execute(select(t.cases).where(t.cases.c.chat_id.in_(ids))
                                     .order_by(t.cases.c.created_at))).mappings():
            cases[c["chat_id"]].append(CaseRow(c["reference"], c["type"], c["fields"], c["created_at"],
                                               c["created_by"]))
        tags: dict[str, list[str]] = defaultdict(list)
        for tag in (await conn.execute(select(t.tags).where(t.tags.c.chat_id.in_(ids))
                                       .order_by(t.tags.c.chat_id, t.tags.c.seq))).mappings():
            tags[tag["chat_id"]].append(tag["tag"])
        return [ArchivedChat(chat=chat_from_row(row, tags[row["id"]]), events=events[row["id"]],
                             cases=cases[row["id"]], archived_at=row["archived_at"]) for row in rows]

    def begin(self) -> "_Transaction":
        return _Transaction(self)

    async def _ready_engine(self) -> AsyncEngine:
        async with self._lock:
            if self._engine is None:
                if self._create_parent and self.url.startswith("sqlite"):
                    Path(self.url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
                self._engine = create_async_engine(self.url, pool_pre_ping=True, hide_parameters=True)
            if not self._migrated:
                async with self._engine.begin() as conn:
                    await conn.run_sync(_upgrade)
                self._migrated = True
            return self._engine


class _Transaction:
    """`async with store.begin() as conn`: a migrated engine's transaction, errors as StoreUnavailable."""

    def __init__(self, store: TranscriptStore) -> None:
        self._store = store
        self._ctx: Any = None

    async def __aenter__(self) -> Any:
        """Failing here (connect, migrate) means the store is unreachable, whatever the error's class."""
        try:
            engine = await self._store._ready_engine()
            self._ctx = engine.begin()
            return await self._ctx.__aenter__()
        except (SQLAlchemyError, OSError) as exc:
            raise StoreUnavailable(_reason(exc)) from exc

    async def __aexit__(self, *exc_info: Any) -> None:
        try:
            await self._ctx.__aexit__(*exc_info)
        except (SQLAlchemyError, OSError) as exc:
            raise _failure(exc) from exc
        if exc_info[1] is not None and isinstance(exc_info[1], (SQLAlchemyError, OSError)):
            raise _failure(exc_info[1]) from exc_info[1]


def _failure(exc: BaseException) -> StoreUnavailable:
    """A failure inside a transaction: a lost connection is the store being away, anything else a refusal."""
    if isinstance(exc, OSError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
        return StoreUnavailable(_reason(exc))
    return RecordRefused(_reason(exc))


def _reason(exc: BaseException) -> str:
    """The driver's own message, first line: without the SQL text and its parameters."""
    inner = getattr(exc, "orig", None) or exc
    lines = str(inner).strip().splitlines()
    return (lines[0] if lines else "")[:300] or type(inner).__name__


def _upgrade(connection: Any) -> None:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")
