"""One JSON document with everything the bridge keeps about a person (format in docs/customer-data.md).

Written a chat at a time, so only one chat and its files are in memory however much the person has.
Attachment bytes go inline as base64: the document is the whole answer to the request, one file to hand over.
"""

import base64
import json
from collections import Counter
from typing import Any, TextIO

from redis.asyncio import Redis

from bridge.attachments import AttachmentStore
from bridge.clock import now
from bridge.domain.events import ChatEvent, EventKind
from bridge.keys import Keys
from transcripts.archive import cases_of
from transcripts.export import iso
from transcripts.privacy.person import Person, PersonChat

FORMAT = "csr-bridge/customer-export"
VERSION = 1


async def write_export(person: Person, out: TextIO, attachments: AttachmentStore, redis: Redis,
                       keys: Keys) -> Counter[str]:
    """Writes the document; returns what it holds (customers, chats, messages, attachments, ratings, cases).
    Raises StoreUnavailable or AttachmentsUnavailable when a store can't be read: half an answer is no answer."""
    counts: Counter[str] = Counter(customers=len(person.customers), chats=len(person.chats))
    head = {"format": FORMAT, "version": VERSION, "exported_at": iso(now()),
            "request": {person.selector.kind.value: person.selector.value}, "found": person.found,
            "customers": [_customer(c) for c in person.customers]}
    out.write("{\n" + "".join(f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},\n" for k, v in head.items())
              + ' "chats": [')
    for n, chat in enumerate(person.chats):
        document = await _chat(chat, attachments, redis, keys, counts)
        out.write(("," if n else "") + "\n" + json.dumps(document, ensure_ascii=False))
    out.write("\n ]\n}\n")
    return counts


def _when(ts: float) -> str | None:
    return iso(ts) or None


def _customer(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "user_id": row["user_id"], "verified": row["verified"], "name": row["name"],
            "email": row["email"], "attributes": row["attributes"], "first_seen_at": _when(row["created_at"]),
            "last_seen_at": _when(row["last_seen_at"])}


async def _chat(record: PersonChat, attachments: AttachmentStore, redis: Redis, keys: Keys,
                counts: Counter[str]) -> dict[str, Any]:
    chat, events = record.chat, record.events
    ratings = [{"score": e.data.get("score"), "comment": e.data.get("comment", ""), "at": _when(e.ts)}
               for e in events if e.kind is EventKind.RATING]
    cases = [{"reference": c.reference, "type": c.type, "fields": c.fields, "created_at": _when(c.created_at),
              "created_by": c.created_by, "delivery": await _delivery(redis, keys, c.reference)}
             for c in cases_of(events)]
    files = [await _file(e, a.id, a.filename, a.content_type, a.size, attachments)
             for e in events for a in e.attachments]
    counts.update(messages=sum(e.kind is EventKind.MESSAGE for e in events), attachments=len(files),
                  ratings=len(ratings), cases=len(cases))
    return {
        "id": chat.id, "state": chat.state.value, "queue": chat.queue, "topic": chat.topic,
        "created_at": _when(chat.created_at), "escalated_at": _when(chat.escalated_at),
        "accepted_at": _when(chat.accepted_at), "closed_at": _when(chat.closed_at), "close_reason": chat.close_reason,
        "agent_id": chat.agent_id, "platform": chat.platform, "live": record.live, "archived": record.archived,
        "tags": chat.tags, "outcome": chat.outcome,
        "customer": chat.customer.model_dump(mode="json"), "visit": chat.visit.model_dump(mode="json"),
        "events": [_event(e) for e in events], "ratings": ratings, "cases": cases, "attachments": files,
    }


def _event(e: ChatEvent) -> dict[str, Any]:
    return {"id": e.id, "kind": e.kind.value, "at": _when(e.ts), "author": e.author.model_dump(mode="json"),
            "text": e.text, "internal": e.internal or not e.customer_visible, "data": e.data,
            "attachments": [a.id for a in e.attachments]}


async def _file(event: ChatEvent, attachment_id: str, filename: str, content_type: str, size: int,
                attachments: AttachmentStore) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": attachment_id, "event_id": event.id, "filename": filename,
                             "content_type": content_type, "size": size}
    found = await attachments.read(attachment_id)
    if found is None:
        return {**entry, "stored": False, "problem": "no longer stored"}
    return {**entry, "stored": True, "data_base64": base64.b64encode(found[1]).decode("ascii")}


async def _delivery(redis: Redis, keys: Keys, reference: str) -> str | None:
    """How the CRM took the case, while its record is kept (pending, delivered, refused, failed); else None."""
    raw = await redis.get(keys.case(reference))
    try:
        state = json.loads(raw).get("state") if raw else None
    except (ValueError, AttributeError):
        return None
    return str(state) if state else None
