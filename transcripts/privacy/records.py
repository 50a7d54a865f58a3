"""The SQL side of a customer's data: which customer records and archived chats are theirs, and erasing them.

Emails are compared with `lower()` on both sides in SQL, which finds every candidate in both stores (SQLite folds
ASCII letters only, PostgreSQL more: folding more finds more), then with the selector's own rule in Python, so both
stores agree exactly.
"""

from collections.abc import Collection
from typing import Any

from sqlalchemy import delete, func, select

from bridge.domain.chat import Customer
from transcripts import tables as t
from transcripts.privacy.selector import Selector, SelectorKind, ascii_lower


async def matching_customers(conn: Any, selector: Selector) -> list[dict[str, Any]]:
    """Customer records that are the person's by the selector itself."""
    c = t.customers.c
    if selector.kind is SelectorKind.EMAIL:
        query = select(t.customers).where(func.lower(c.email) == func.lower(selector.value))
    else:
        query = select(t.customers).where((c.user_id == selector.value) | (c.id == selector.verified_id))
    rows = [dict(r) for r in (await conn.execute(query)).mappings()]
    if selector.kind is SelectorKind.EMAIL:
        return [r for r in rows if ascii_lower(r["email"]) == selector.value]
    return [r for r in rows if r["verified"]]


async def customers_by_id(conn: Any, ids: Collection[str]) -> list[dict[str, Any]]:
    if not ids:
        return []
    query = select(t.customers).where(t.customers.c.id.in_(list(ids))).order_by(t.customers.c.created_at)
    return [dict(r) for r in (await conn.execute(query)).mappings()]


async def matching_chats(conn: Any, selector: Selector) -> dict[str, str]:
    """Archived chats whose customer matches the selector: chat id -> the customer's id ("" if none)."""
    chats = t.chats.c
    if selector.kind is SelectorKind.EMAIL:
        query = select(chats.id, chats.customer).where(func.lower(chats.customer_email) == func.lower(selector.value))
    else:
        query = (select(chats.id, chats.customer).join(t.customer_chats, t.customer_chats.c.chat_id == chats.id)
                 .where(t.customer_chats.c.customer_id == selector.verified_id))
    found: dict[str, str] = {}
    for row in (await conn.execute(query)).mappings():
        customer = Customer.model_validate(row["customer"])
        if selector.matches(customer):
            found[row["id"]] = customer.id
    return found


async def linked_chats(conn: Any, customer_ids: Collection[str]) -> set[str]:
    if not customer_ids:
        return set()
    query = select(t.customer_chats.c.chat_id).where(t.customer_chats.c.customer_id.in_(list(customer_ids)))
    return {r[0] for r in await conn.execute(query)}


async def delete_records(conn: Any, chat_ids: Collection[str], customer_ids: Collection[str]) -> dict[str, int]:
    """Deletes the chats' archives and the customer records; returns how many rows of each went."""
    chats, customers = list(chat_ids), list(customer_ids)
    counts: dict[str, int] = {}
    for name, table, column in (("events", t.events, t.events.c.chat_id), ("cases", t.cases, t.cases.c.chat_id),
                                ("posts", t.posts, t.posts.c.chat_id), ("tags", t.tags, t.tags.c.chat_id),
                                ("links", t.customer_chats, t.customer_chats.c.chat_id),
                                ("chats", t.chats, t.chats.c.id)):
        counts[name] = int((await conn.execute(delete(table).where(column.in_(chats)))).rowcount or 0) if chats else 0
    links = delete(t.customer_chats).where(t.customer_chats.c.customer_id.in_(customers))
    counts["links"] += int((await conn.execute(links)).rowcount or 0) if customers else 0
    counts["customers"] = int((await conn.execute(delete(t.customers).where(t.customers.c.id.in_(customers))))
                              .rowcount or 0) if customers else 0
    return counts
