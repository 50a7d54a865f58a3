"""Rows of the transcript tables to and from the domain types (one place, so both directions agree)."""

from typing import Any

from bridge.clock import now
from bridge.domain.chat import Chat, Customer, Visit
from bridge.domain.events import Attachment, Author, ChatEvent, EventKind, Origin


def chat_from_row(row: Any, tags: list[str] | None = None) -> Chat:
    """`tags`: the chat's rows of the tags table, in the order they were added."""
    return Chat.model_validate({
        "id": row["id"], "customer": Customer.model_validate(row["customer"]), "topic": row["topic"],
        "queue": row["queue"], "priority": row["priority"], "state": row["state"], "agent_id": row["agent_id"],
        "platform": row["platform"], "created_at": row["created_at"], "escalated_at": row["escalated_at"],
        "accepted_at": row["accepted_at"], "closed_at": row["closed_at"], "close_reason": row["close_reason"],
        "visit": Visit.model_validate(row["visit"]) if row.get("visit") else Visit(),
        "tags": tags or [], "outcome": row.get("outcome") or "",
    })


def chat_row(chat: Chat, events: list[ChatEvent]) -> dict[str, Any]:
    ratings = [e.data.get("score") for e in events if e.kind == EventKind.RATING]
    rating = ratings[-1] if ratings and isinstance(ratings[-1], int) else None
    return {
        "id": chat.id, "queue": chat.queue, "topic": chat.topic, "state": chat.state.value,
        "customer_name": chat.customer.name, "customer_email": chat.customer.email,
        "customer": chat.customer.model_dump(mode="json"), "agent_id": chat.agent_id, "platform": chat.platform,
        "priority": chat.priority, "created_at": chat.created_at, "escalated_at": chat.escalated_at,
        "accepted_at": chat.accepted_at, "closed_at": chat.closed_at or now(), "close_reason": chat.close_reason,
        "rating": rating, "archived_at": now(), "visit": chat.visit.model_dump(mode="json"), "outcome": chat.outcome,
    }


def tag_rows(chat: Chat) -> list[dict[str, Any]]:
    return [{"chat_id": chat.id, "tag": tag, "seq": seq} for seq, tag in enumerate(dict.fromkeys(chat.tags))]


def event_row(chat_id: str, seq: int, e: ChatEvent) -> dict[str, Any]:
    return {
        "chat_id": chat_id, "seq": seq, "event_id": e.id, "kind": e.kind.value, "ts": e.ts,
        "author_kind": e.author.kind.value, "author_id": e.author.id, "author_name": e.author.name, "text": e.text,
        "internal": e.internal, "data": e.data, "attachments": [a.model_dump(mode="json") for a in e.attachments],
        "origin": e.origin.model_dump(mode="json"),
    }


def event_from_row(chat_id: str, r: Any) -> ChatEvent:
    return ChatEvent(
        id=r["event_id"], chat_id=chat_id, kind=EventKind(r["kind"]), ts=r["ts"],
        author=Author.model_validate({"kind": r["author_kind"], "id": r["author_id"], "name": r["author_name"]}),
        text=r["text"], internal=r["internal"], data=r["data"],
        attachments=[Attachment.model_validate(a) for a in r["attachments"]], origin=Origin.model_validate(r["origin"]),
    )
