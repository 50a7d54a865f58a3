"""Exports of archived chats for admins: JSON Lines (one chat a line) or CSV (one event a row, its chat's tags
space-separated in `chat_tags`).

CSV cells that a spreadsheet would read as a formula (=, +, -, @ first) get a leading quote, so
an export of what customers typed can't run anything when opened.
"""

import csv
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, TextIO

from transcripts.store import ArchivedChat

CSV_COLUMNS = (
    "chat_id", "queue", "topic", "customer_name", "customer_email", "agent_id", "chat_created_at", "chat_closed_at",
    "close_reason", "chat_tags", "chat_outcome", "seq", "event_id", "ts", "kind", "author_kind", "author_id",
    "author_name", "internal", "text", "attachments", "data",
)


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds") if ts else ""


def chat_document(record: ArchivedChat) -> dict[str, Any]:
    chat = record.chat
    return {
        "chat": {**chat.model_dump(mode="json"), "created_at_iso": iso(chat.created_at),
                 "closed_at_iso": iso(chat.closed_at)},
        "events": [e.model_dump(mode="json", exclude={"chat_id"}) for e in record.events],
        "cases": [c.__dict__ for c in record.cases],
        "archived_at": record.archived_at,
    }


async def write_jsonl(records: AsyncIterator[ArchivedChat], out: TextIO) -> int:
    count = 0
    async for record in records:
        out.write(json.dumps(chat_document(record), ensure_ascii=False) + "\n")
        count += 1
    return count


async def write_csv(records: AsyncIterator[ArchivedChat], out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    async for record in records:
        chat = record.chat
        for seq, e in enumerate(record.events):
            writer.writerow([_cell(v) for v in (
                chat.id, chat.queue, chat.topic, chat.customer.name, chat.customer.email, chat.agent_id,
                iso(chat.created_at), iso(chat.closed_at), chat.close_reason, " ".join(chat.tags), chat.outcome,
                seq, e.id, iso(e.ts), e.kind.value, e.author.kind.value, e.author.id, e.author.name,
                str(e.internal).lower(), e.text,
                ";".join(a.filename for a in e.attachments), json.dumps(e.data, ensure_ascii=False) if e.data else "",
            )])
        count += 1
    return count


def _cell(value: object) -> str:
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
