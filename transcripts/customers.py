"""Customers in the SQL store: one row per identity, and the archived chats each one had.

A chat is linked when its archive is written, in the same transaction, so the links and the transcripts
they point to never disagree. A verified customer's id comes from the host site's user id, so the same
person is one row whatever browser they used; an unverified one's id names one browser session only.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from bridge.clock import now
from bridge.domain.chat import Chat
from transcripts import tables as t


@dataclass(frozen=True)
class PastChat:
    """One earlier chat of a customer, as the context card and `csr history` list it."""

    chat_id: str
    created_at: float
    closed_at: float
    queue: str
    topic: str
    agent_id: str
    rating: int | None


async def link_chat(conn: Any, chat: Chat) -> None:
    """Upserts the chat's customer (latest name, email, verified attributes) and links the chat to it."""
    customer = chat.customer
    if not customer.id:
        return
    row = {"verified": customer.verified, "name": customer.name, "email": customer.email,
           "attributes": dict(customer.attributes), "last_seen_at": max(chat.created_at, 0.0)}
    found = (await conn.execute(select(t.customers.c.last_seen_at)
                                .where(t.customers.c.id == customer.id))).first()
    if found is None:
        await conn.execute(insert(t.customers).values(id=customer.id, user_id=customer.user_id or None,
                                                      created_at=now(), **row))
    elif found[0] <= chat.created_at:
        await conn.execute(update(t.customers).where(t.customers.c.id == customer.id).values(**row))
    await conn.execute(delete(t.customer_chats).where(t.customer_chats.c.chat_id == chat.id))
    await conn.execute(insert(t.customer_chats).values(chat_id=chat.id, customer_id=customer.id,
                                                       started_at=chat.created_at))


async def past_chats(conn: Any, customer_id: str, before_chat: str, limit: int) -> tuple[int, list[PastChat]]:
    """How many archived chats the customer had (but `before_chat`), and the latest `limit` of them."""
    linked = (select(t.customer_chats.c.chat_id)
              .where(t.customer_chats.c.customer_id == customer_id, t.customer_chats.c.chat_id != before_chat))
    joined = t.chats.c.id.in_(linked.scalar_subquery())
    count = (await conn.execute(select(func.count()).select_from(t.chats).where(joined))).scalar_one()
    rows = (await conn.execute(select(t.chats).where(joined)
                               .order_by(t.chats.c.created_at.desc()).limit(limit))).mappings().all()
    return int(count), [PastChat(chat_id=r["id"], created_at=r["created_at"], closed_at=r["closed_at"],
                                 queue=r["queue"], topic=r["topic"], agent_id=r["agent_id"], rating=r["rating"])
                        for r in rows]
