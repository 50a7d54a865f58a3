"""Renders a chat as a file people read: plain text, printable HTML, or JSON for machines.

The customer's copy leaves out internal notes and routing internals; HTML escapes everything
(Jinja autoescape), so nothing a customer typed can run in a CSR's browser.
"""

import json
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, select_autoescape

from bridge.domain.chat import Chat
from bridge.domain.events import ChatEvent
from bridge.i18n import N_, Translator
from transcripts.view import Audience, Entry, TranscriptView, build_view

Format = Literal["txt", "html", "json"]
FORMATS: tuple[Format, ...] = ("txt", "html", "json")
CONTENT_TYPES = {
    "txt": "text/plain; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
}

TITLE = N_("Chat transcript")
DELETED = N_("message deleted")
EDITED = N_("edited")
FILE = N_("file: {filename}, {content_type}, {size} bytes")

_env = Environment(loader=PackageLoader("transcripts", "templates"), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)
_env.filters["http_only"] = lambda url: url if str(url).lower().startswith(("http://", "https://")) else "#"


def render_transcript(chat: Chat, events: list[ChatEvent], fmt: Format, audience: Audience) -> tuple[bytes, str]:
    """Returns the file's bytes and its content type."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"unknown transcript format {fmt!r}; use one of {', '.join(FORMATS)}")
    if audience not in ("customer", "staff"):
        raise ValueError(f"unknown audience {audience!r}")
    view = build_view(chat, events, audience)
    body = {"txt": _txt, "html": _html, "json": _json}[fmt](view)
    return body.encode("utf-8"), CONTENT_TYPES[fmt]


def transcript_filename(chat: Chat, fmt: Format) -> str:
    return f"transcript-{chat.id}.{fmt}"


def _txt(view: TranscriptView) -> str:
    _ = view.tr.gettext
    title = _(TITLE)
    lines = [title, "=" * len(title)]
    lines += [f"{label}: {value}" for label, value in view.header]
    lines.append("")
    for entry in view.entries:
        lines.append(f"[{entry.time}] {_txt_line(entry, view.tr)}")
        if entry.original_text:
            lines.append(f"    (originally: {entry.original_text})")
        for a in entry.attachments:
            lines.append("    [" + _(FILE, filename=a.filename, content_type=a.content_type, size=a.size) + "]")
        for name, value in entry.details.get("fields", {}).items():
            lines.append(f"    {name}: {value}")
    return "\n".join(lines) + "\n"


def _txt_line(e: Entry, tr: Translator) -> str:
    _ = tr.gettext
    if e.kind == "message":
        text = f"({_(DELETED)})" if e.deleted else e.text + (f" ({_(EDITED)})" if e.edited else "")
        return f"{e.who}: {text}"
    if e.kind == "note":
        return f"[internal note] {e.who}: {e.text}"
    if e.card is not None:
        summary = f" - {e.card['summary']}" if e.card["summary"] else ""
        return _(N_("{who} shared: {title}"), who=e.who, title=e.card["title"]) + f" <{e.card['url']}>{summary}"
    if e.kind == "case":
        said = f": {e.text}" if e.text else ""
        return f"[case {e.details.get('reference', '')}] {e.details.get('type', '')}{said}"
    prefix = "[internal] " if e.internal else ""
    return f"{prefix}* {e.text}" + (f" ({_details_text(e)})" if e.details and e.kind != "rating" else "")


def _details_text(e: Entry) -> str:
    return ", ".join(f"{k}={v}" for k, v in e.details.items() if k != "fields")


def _html(view: TranscriptView) -> str:
    tr = view.tr
    return _env.get_template("transcript.html").render(view=view, details_text=_details_text, _=tr.gettext,
                                                       lang=tr.language, dir=tr.dir)


def _json(view: TranscriptView) -> str:
    chat = view.chat
    doc: dict[str, Any] = {
        "chat": {
            "id": chat.id, "customer": {"name": chat.customer.name, "email": chat.customer.email},
            "topic": chat.topic, "created_at": chat.created_at, "closed_at": chat.closed_at or None,
        },
        "audience": view.audience,
        "events": [_json_entry(e, view.audience) for e in view.entries],
    }
    if view.audience == "staff":
        doc["chat"].update(queue=chat.queue, agent_id=chat.agent_id, state=chat.state.value,
                           close_reason=chat.close_reason, outcome=chat.outcome, tags=chat.tags,
                           priority=chat.priority,
                           escalated_at=chat.escalated_at or None, accepted_at=chat.accepted_at or None,
                           customer_attributes=chat.customer.attributes)
    return json.dumps(doc, ensure_ascii=False, indent=2)


def _json_entry(e: Entry, audience: Audience) -> dict[str, Any]:
    out: dict[str, Any] = {"id": e.id, "ts": e.ts, "kind": e.kind, "author": e.who, "author_kind": e.author_kind,
                           "text": e.text}
    if e.edited:
        out["edited"] = True
    if e.deleted:
        out["deleted"] = True
    if e.attachments:
        out["attachments"] = [a.model_dump() for a in e.attachments]
    if e.card is not None:
        out["card"] = e.card
    if e.details:
        out["details"] = e.details
    if audience == "staff":
        out["internal"] = e.internal
        if e.original_text:
            out["original_text"] = e.original_text
    return out
