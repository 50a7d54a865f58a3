"""The bridge's own cards: a chat thread's header, and the offer card in a CSR's direct room."""

from html import escape

from adapters.matrix.render import html_text, queue_name
from bridge.config.root import BridgeConfig
from bridge.domain.chat import Chat, ChatState
from bridge.domain.offer import OfferState
from bridge.figures import format_duration
from bridge.i18n import in_language, language_name
from bridge.offer_outcomes import OFFER_OUTCOMES
from bridge.ports import OfferView

CLAIM_REACTION = "✋"
"""On a left message's thread header: the reacting CSR claims it (`csr claim`)."""
OUTCOME_EMOJI = {OfferState.ACCEPTED: "✅ ", OfferState.DECLINED: "❌ ", OfferState.EXPIRED: "⌛ "}
"""The outcomes that match a reaction (or the clock) carry its emoji; the others read as plain words."""


def _topic_label(config: BridgeConfig, topic: str) -> str:
    label = next((t.label for t in config.widget.topics if t.id == topic), topic)
    return in_language(label, config.languages.default)


def header(chat: Chat, agent_name: str, config: BridgeConfig, command_prefix: str,
           note_prefix: str) -> dict[str, object]:
    """The thread root: who, what, which queue, which CSR and the chat id to name in commands."""
    c = chat.customer
    who = c.name + (f" <{c.email}>" if c.email else "")
    topic, queue = _topic_label(config, chat.topic), queue_name(config, chat.queue)
    reads = f" · reads {language_name(c.language)}" if c.language else ""
    body = (f"💬 {who} · {topic} · {queue}{reads}\nCSR: {agent_name or 'unassigned'} · chat {chat.id}\n"
            f"Reply in this thread to answer. Start with {note_prefix} for an internal note; "
            f"{command_prefix} end closes the chat.")
    html = (f"💬 <b>{escape(who)}</b> · {escape(topic)} · {escape(queue)}{escape(reads)}<br>"
            f"CSR: {escape(agent_name or 'unassigned')} · chat <code>{escape(chat.id)}</code><br>"
            f"<i>Reply in this thread to answer. Start with <code>{escape(note_prefix)}</code> for an internal note; "
            f"<code>{escape(command_prefix)} end</code> closes the chat.</i>")
    if chat.state is ChatState.MESSAGE:
        how = "by email" if c.email else "when they come back to the chat"
        body += (f"\n📨 A left message: react {CLAIM_REACTION} (or {command_prefix} claim) to take it; your replies "
                 f"reach the customer {how}.")
        html += (f"<br>📨 <b>A left message</b>: react {CLAIM_REACTION} (or "
                 f"<code>{escape(command_prefix)} claim</code>) to take it; your replies reach the customer "
                 f"{escape(how)}.")
    return {"msgtype": "m.text", "body": body, "format": "org.matrix.custom.html", "formatted_body": html}


def offer_card(view: OfferView, state: OfferState | None = None) -> dict[str, object]:
    """The offer as the CSR sees it; once final, the same card rewritten to say how it ended.

    m.text rather than m.notice: default push rules silence notices, and an offer must ring.
    """
    c = view.chat.customer
    first = view.first_message if len(view.first_message) <= 300 else view.first_message[:297] + "…"
    waited = format_duration(view.waited_seconds)
    lines = [(f"Customer: {c.name}", f"Customer: <b>{escape(c.name)}</b>"),
             (f"Queue: {view.queue_display_name}", f"Queue: {escape(view.queue_display_name)}"),
             (f"Waiting: {waited}", f"Waiting: {waited}")]
    if first:
        lines.append((f"First message: {first}", f"First message: <i>{html_text(first)}</i>"))
    if state is None or not state.final:
        title = ("📨 New chat for you", "📨 <b>New chat for you</b>")
        lines.append(("React ✅ to accept or ❌ to decline (or reply !accept / !decline).",
                      "React ✅ to accept or ❌ to decline (or reply <code>!accept</code> / <code>!decline</code>)."))
    else:
        words = OUTCOME_EMOJI.get(state, "") + OFFER_OUTCOMES[state].title
        title = (f"{words}: chat with {c.name}", f"<b>{escape(words)}</b>: chat with {escape(c.name)}")
    lines.append((f"Chat {view.chat.id} · offer {view.offer.id}",
                   f"<small>Chat <code>{escape(view.chat.id)}</code> · "
                   f"offer <code>{escape(view.offer.id)}</code></small>"))
    body = "\n".join([title[0], *(p for p, _ in lines)])
    html = "<br>".join([title[1], *(h for _, h in lines)])
    return {"msgtype": "m.text", "body": body, "format": "org.matrix.custom.html", "formatted_body": html}
