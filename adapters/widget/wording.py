"""What the customer reads for each step of a chat, worded by `[widget.texts]`.

Each routing event gets its note for the chat log and the header's status line from the same place, so the
widget's header and its log can't disagree, and widget.js carries no wording of its own for these steps.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from bridge.config.widget_texts import WidgetTexts
from bridge.domain.chat import Chat, ChatState
from bridge.domain.events import ChatEvent, EventKind


@dataclass(frozen=True)
class Wording:
    note: str
    """A line in the chat log; empty: none."""
    status: str
    """The header's line from this event on; empty: it stays as it was."""


def minutes(seconds: float) -> int:
    return max(1, round(seconds / 60))


def position_line(data: dict, texts: WidgetTexts) -> str:
    """The place in line, with a wait only where routing estimated one from recent answers."""
    position = int(data.get("position") or 0)
    if position < 1:
        return texts.waiting_status
    wait = data.get("estimated_wait")
    if isinstance(wait, (int, float)) and wait > 0:
        return texts.position_wait_status.format(position=position, minutes=minutes(wait))
    return texts.position_status.format(position=position)


def opens_text(opens_at: float) -> str:
    """When a closed queue opens, in UTC; the widget shows the same instant in the customer's own time
    (it finds this text through the event's `opens_text`)."""
    return datetime.fromtimestamp(opens_at, UTC).strftime("%a %d %b %H:%M UTC")


def closed_wording(data: dict, texts: WidgetTexts) -> Wording:
    opens_at = data.get("opens_at")
    if not isinstance(opens_at, (int, float)):
        return Wording(texts.closed_for_now, texts.message_status)
    opens = opens_text(opens_at)
    return Wording(texts.closed.format(opens=opens), texts.closed_status.format(opens=opens))


def event_wording(event: ChatEvent, texts: WidgetTexts) -> Wording | None:
    """The wording of a routing event; None for other kinds (they show their own text)."""
    data = event.data
    kind = event.kind
    if kind == EventKind.QUEUED:
        return Wording(texts.waiting, position_line(data, texts))
    if kind == EventKind.POSITION:
        return Wording("", position_line(data, texts))
    if kind == EventKind.OVERFLOWED:
        if data.get("message") and data.get("reason") == "closed":
            return closed_wording(data, texts)
        if data.get("message"):
            note = texts.nobody_signed_in if data.get("reason") == "nobody_signed_in" else texts.leave_message
            return Wording(note, texts.message_status)
        return Wording(texts.overflowed, position_line(data, texts))
    if kind == EventKind.ACCEPTED:
        agent = str(data.get("agent_name") or event.author.name or "")
        return Wording(texts.joined.format(agent=agent), texts.active_status.format(agent=agent))
    if kind == EventKind.TRANSFERRED:
        if data.get("agent_name"):
            return Wording(texts.transferred.format(agent=data["agent_name"]), "")
        return Wording(texts.requeued, texts.waiting_status)
    if kind == EventKind.CLOSED:
        return Wording(texts.unavailable if data.get("reason") == "unavailable" else texts.ended, texts.ended_status)
    return None


def chat_status(chat: Chat, agent_name: str, texts: WidgetTexts) -> str:
    """The header's line for a chat's state, before any event words it (a new chat, a reload)."""
    return {
        ChatState.BOT: texts.bot_status,
        ChatState.WAITING: texts.waiting_status,
        ChatState.OFFERED: texts.waiting_status,
        ChatState.ACTIVE: texts.active_status.format(agent=agent_name) if agent_name else texts.waiting_status,
        ChatState.MESSAGE: texts.message_status,
        ChatState.CLOSED: texts.ended_status,
    }[chat.state]
