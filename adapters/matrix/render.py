"""Chat events as Matrix posts in their thread: HTML with a plain-text body.

Everything a customer or CSR typed is HTML-escaped; only the bridge's own markup is HTML.
"""

from html import escape

from adapters.matrix.appservice.ghosts import ghost_id
from adapters.matrix.outbox import OutboxEntry
from bridge import tag_notices
from bridge.config.root import BridgeConfig
from bridge.domain.chat import Chat
from bridge.domain.events import AuthorKind, ChatEvent, EventKind

SILENT = {EventKind.TYPING, EventKind.POSITION, EventKind.OFFERED, EventKind.DECLINED, EventKind.MISSED,
          EventKind.REACTION, EventKind.CONTEXT}
"""Routing chatter the thread doesn't need: it would only spend the bot's message budget. (CONTEXT draws the
context card instead: adapters.matrix.context_card.)"""
CHUNK_CHARS = 2000
"""At 12 bytes a character (astral, JSON-escaped) in both body and HTML, a part stays under 64 KiB."""


def html_text(text: str) -> str:
    return escape(text).replace("\n", "<br>")


def notice(text: str, html: str = "") -> dict[str, object]:
    return {"msgtype": "m.notice", "body": text, "format": "org.matrix.custom.html",
            "formatted_body": html or html_text(text)}


def event_entries(event: ChatEvent, chat: Chat, root: str, config: BridgeConfig) -> list[OutboxEntry]:
    """The posts one chat event becomes in its thread; none for routing chatter.

    Long texts are cut into parts that each fit a Matrix event (64 KiB, whatever the characters);
    parts of one author's run merge again where they fit.
    """
    if event.kind in SILENT:
        return []
    base = f"{root}.{chat.id}.{event.id}"
    name = event.author.name or event.author.kind.value
    sender = _sender(event, chat, config)
    files = [OutboxEntry(key=f"{base}.a{i}", thread=root, label=name, attachment=attachment,
                         msgtype="m.image" if attachment.content_type.startswith("image/") else "m.file",
                         chat_id=chat.id, chat_event=event.id, sender=sender)
             for i, attachment in enumerate(event.attachments)]
    return _text_entries(event, chat, config, base, root, name, sender) + files


def _sender(event: ChatEvent, chat: Chat, config: BridgeConfig) -> str:
    """Appservice mode: the customer's words and files are posted by their ghost; everything else by the bot."""
    customer = event.kind == EventKind.MESSAGE and event.author.kind == AuthorKind.CUSTOMER
    return ghost_id(config.matrix, chat.id) if config.matrix.appservice and customer else ""


def _text_entries(event: ChatEvent, chat: Chat, config: BridgeConfig, base: str, root: str,
                  name: str, sender: str) -> list[OutboxEntry]:
    """The words of an event; its files follow them whatever its kind (a message's, a transcript notice's)."""

    def parts(label: str, text: str, msgtype: str, coalesce: str, sender: str = "") -> list[OutboxEntry]:
        return [OutboxEntry(key=f"{base}.t{i}", thread=root, msgtype=msgtype, label=label, body=part,
                            html=html_text(part), coalesce=coalesce, chat_id=chat.id, chat_event=event.id,
                            sender=sender)
                for i, part in enumerate(chunks(text))]

    if event.kind == EventKind.MESSAGE:
        who = "c" if event.author.kind == AuthorKind.CUSTOMER else f"a:{event.author.id}"
        return parts(name, event.text, "m.text", f"{who}:{chat.id}", sender)
    if event.kind == EventKind.NOTE:
        return parts(f"📝 {name} (internal note)", event.text, "m.notice", f"note:{event.id}")
    if event.kind == EventKind.EDITED:
        return parts(f"✏️ {name} edited a message", event.text, "m.notice", f"edit:{event.id}")
    text, html = _describe(event, chat, config, name)
    coalesce = f"n:{chat.id}" if event.kind == EventKind.NOTICE else ""
    if len(text) > CHUNK_CHARS:
        return parts("", text, "m.notice", coalesce or f"long:{event.id}")
    return [OutboxEntry(key=f"{base}.n", thread=root, msgtype="m.notice", body=text, html=html, coalesce=coalesce,
                        chat_id=chat.id, chat_event=event.id)] if text else []


def chunks(text: str, size: int = CHUNK_CHARS) -> list[str]:
    """Pieces of at most `size` characters, cut at a line break or space when one is near."""
    out: list[str] = []
    while len(text) > size:
        cut = max(text.rfind("\n", size // 2, size), text.rfind(" ", size // 2, size))
        cut = cut if cut > 0 else size
        out.append(text[:cut])
        text = text[cut:].lstrip("\n ")
    return [*out, text] if text else out


def _describe(event: ChatEvent, chat: Chat, config: BridgeConfig, name: str) -> tuple[str, str]:
    data = event.data
    kind = event.kind
    if kind == EventKind.CARD:
        title, url = str(data.get("title") or event.text or "a link"), str(data.get("url") or "")
        summary = str(data.get("summary") or "")
        safe = url.startswith(("https://", "http://"))
        link = f'<a href="{escape(url)}">{escape(title)}</a>' if safe else escape(title)
        tail = f": {summary}" if summary else ""
        return f"📄 {name} sent {title} {url}{tail}".rstrip(), f"📄 <b>{escape(name)}</b> sent {link}{escape(tail)}"
    if kind == EventKind.DELETED:
        return f"🗑 {name} deleted a message", f"🗑 <b>{escape(name)}</b> deleted a message"
    if kind in (EventKind.TAGGED, EventKind.OUTCOME):
        words = tag_notices.tag_change(event) if kind == EventKind.TAGGED else tag_notices.outcome(event)
        text = f"{'🏷' if kind == EventKind.TAGGED else '🔖'} {words}"
        return text, html_text(text)
    text = event.text or _routing_phrase(event, chat, config)
    return text, html_text(text)


def _routing_phrase(event: ChatEvent, chat: Chat, config: BridgeConfig) -> str:
    data = event.data
    kind = event.kind

    def agent(key: str) -> str:
        agent_id = str(data.get(key) or "")
        found = config.agent(agent_id)
        return found.display_name if found else agent_id or "someone"

    if kind == EventKind.QUEUED:
        return f"⏳ Waiting in {queue_name(config, str(data.get('queue') or chat.queue))}"
    if kind == EventKind.ACCEPTED:
        return f"🙋 {agent('agent_id') if data.get('agent_id') else event.author.name or 'A CSR'} took the chat"
    if kind == EventKind.TRANSFERRED:
        if data.get("agent_name"):
            source = f" from {agent('from')}" if data.get("from") else ""
            return f"🔀 Transferred{source} to {data['agent_name']}"
        return f"🔀 Sent back to {queue_name(config, str(data.get('to_queue') or chat.queue))}"
    if kind == EventKind.OVERFLOWED:
        if data.get("to"):
            return f"↪️ Nobody was free; moved to {queue_name(config, str(data['to']))}"
        return "↪️ Nobody was free; the customer was offered to leave a message"
    if kind == EventKind.CLOSED:
        by = str(data.get("by") or "")
        who = " by the customer" if by == "customer" else f" by {agent('by')}" if config.agent(by) else ""
        reason = str(data.get("reason") or "").replace("_", " ")
        return f"🔚 Chat ended{who}" + (f" ({reason})" if reason else "")
    if kind == EventKind.RATING:
        comment = f" — {data['comment']}" if data.get("comment") else ""
        return f"⭐ Customer rating: {data.get('score', '?')}{comment}"
    if kind == EventKind.CASE:
        return f"📋 Case {data.get('reference', '')} opened".replace("  ", " ")
    return ""


def queue_name(config: BridgeConfig, name: str) -> str:
    return config.queue_display_name(name) or "a queue"
