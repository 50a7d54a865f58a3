"""What a transcript shows, decided once for every format: which events, in which words, for whom.

Edits and deletions are folded into the message they change, so each audience reads the
conversation as it ended; staff also see the original wording, notes and routing events.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from bridge.domain.chat import Chat
from bridge.domain.events import Attachment, AuthorKind, ChatEvent, EventKind
from bridge.i18n import N_, Translator, translator

Audience = Literal["customer", "staff"]

ROUTING_KINDS = {
    EventKind.QUEUED, EventKind.OFFERED, EventKind.ACCEPTED, EventKind.DECLINED, EventKind.MISSED,
    EventKind.TRANSFERRED, EventKind.OVERFLOWED, EventKind.POSITION,
}
CUSTOMER_KINDS = {EventKind.MESSAGE, EventKind.CARD, EventKind.NOTICE, EventKind.CLOSED, EventKind.RATING,
                  EventKind.CASE}
SKIPPED_KINDS = {EventKind.TYPING, EventKind.EDITED, EventKind.DELETED, EventKind.REACTION, EventKind.CONTEXT}


@dataclass
class Entry:
    """One line of a transcript."""

    id: str
    ts: float
    kind: str
    who: str
    author_kind: str
    text: str
    internal: bool = False
    edited: bool = False
    deleted: bool = False
    original_text: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    card: dict[str, str] | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def time(self) -> str:
        return format_ts(self.ts)


@dataclass
class TranscriptView:
    chat: Chat
    audience: Audience
    entries: list[Entry]
    tr: Translator
    """The customer's copy reads in the language the chat was in; the staff copy in English."""

    @property
    def header(self) -> list[tuple[str, str]]:
        c, _ = self.chat, self.tr.gettext
        rows = [(_(N_("Chat")), c.id), (_(N_("Customer")), c.customer.name)]
        if c.customer.email:
            rows.append((_(N_("Email")), c.customer.email))
        rows += [(_(N_("Topic")), c.topic), (_(N_("Started")), format_ts(c.created_at))]
        if c.closed_at:
            rows.append((_(N_("Ended")), format_ts(c.closed_at)))
        if self.audience == "staff":
            rows += [("Queue", c.queue), ("Agent", c.agent_id or "-"), ("State", c.state)]
            if c.close_reason:
                rows.append(("Close reason", c.close_reason))
            if c.outcome:
                rows.append(("Outcome", c.outcome))
            if c.tags:
                rows.append(("Tags", ", ".join(c.tags)))
        return rows


def format_ts(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if ts else "-"


def build_view(chat: Chat, events: list[ChatEvent], audience: Audience) -> TranscriptView:
    tr = translator(chat.customer.language if audience == "customer" else "en")
    changes = {e.data.get("target"): e for e in events if e.kind in (EventKind.EDITED, EventKind.DELETED)}
    entries = []
    for event in events:
        if event.kind in SKIPPED_KINDS or not _shown(event, audience):
            continue
        entry = _entry(event, audience, tr)
        change = changes.get(event.id)
        if change is not None and event.kind == EventKind.MESSAGE:
            if change.kind == EventKind.DELETED:
                entry.deleted, entry.text, entry.attachments = True, "", []
            else:
                entry.edited, entry.text = True, change.text
            if audience == "staff":
                entry.original_text = event.text
        entries.append(entry)
    return TranscriptView(chat, audience, entries, tr)


def _shown(event: ChatEvent, audience: Audience) -> bool:
    if audience == "staff":
        return True
    return event.customer_visible and event.kind in CUSTOMER_KINDS


def _entry(event: ChatEvent, audience: Audience, tr: Translator) -> Entry:
    who = event.author.name or event.author.kind.value
    entry = Entry(id=event.id, ts=event.ts, kind=event.kind.value, who=who, author_kind=event.author.kind.value,
                  text=event.text, internal=event.internal or not event.customer_visible,
                  attachments=list(event.attachments))
    data = event.data
    if event.kind == EventKind.CARD:
        entry.card = {k: str(data.get(k, "")) for k in ("title", "summary", "url")}
    elif event.kind == EventKind.RATING:
        entry.details = {k: data[k] for k in ("score", "comment") if k in data}
        entry.text = entry.text or _rating_text(entry.details, tr)
    elif event.kind == EventKind.CASE:
        entry.details = {"reference": data.get("reference", ""), "type": data.get("type", "")}
        if audience == "staff":
            entry.details["fields"] = data.get("fields", {})
    elif event.kind == EventKind.CLOSED:
        if audience == "customer" or not entry.text:  # the stored text is the CSRs' wording
            entry.text = tr.gettext(N_("The chat has ended."))
        if audience == "staff":
            entry.details = {k: data[k] for k in ("reason", "by") if k in data}
    elif event.kind in ROUTING_KINDS:
        entry.details = dict(data)
        entry.text = entry.text or _routing_text(event)
    elif event.kind == EventKind.NOTICE and audience == "staff":
        entry.details = {k: v for k, v in data.items() if isinstance(v, (str, int, float, bool))}
    if event.author.kind == AuthorKind.SYSTEM:
        entry.who = "CSR Bridge"
    return entry


def _rating_text(details: dict[str, Any], tr: Translator) -> str:
    score = details.get("score")
    text = tr.gettext(N_("Rated the chat {score} of 5"), score=score) if score is not None else tr.gettext(
        N_("Rated the chat"))
    return f"{text}: {details['comment']}" if details.get("comment") else text


def _routing_text(event: ChatEvent) -> str:
    data = event.data
    agent = data.get("agent_id") or data.get("agent") or ""
    queue = data.get("queue") or ""
    words = {
        EventKind.QUEUED: f"Queued{' in ' + queue if queue else ''}",
        EventKind.POSITION: f"Position in queue: {data.get('position', '?')}",
        EventKind.OFFERED: f"Offered to {agent or 'a CSR'}",
        EventKind.ACCEPTED: f"Accepted by {agent or 'a CSR'}",
        EventKind.DECLINED: f"Declined by {agent or 'a CSR'}",
        EventKind.MISSED: f"Offer to {agent or 'a CSR'} timed out",
        EventKind.TRANSFERRED: f"Transferred{' to ' + (data.get('to') or queue) if data.get('to') or queue else ''}",
        EventKind.OVERFLOWED: f"Overflowed{' to ' + queue if queue else ''}",
    }
    return words.get(event.kind, event.kind.value)
