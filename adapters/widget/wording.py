"""What the customer reads for each step of a chat, worded by `[widget.texts]` in the chat's language.

Each routing event gets its note for the chat log and the header's status line from the same place, so the
widget's header and its log can't disagree, and widget.js carries no wording of its own for these steps.
Events are worded when they are sent, in the language the chat stored at its start, so notices that routing
or a worker wrote later read in the customer's language too.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from bridge.config.widget_texts import POSITION_WAIT, WidgetTexts
from bridge.domain.chat import Chat, ChatState
from bridge.domain.events import ChatEvent, EventKind
from bridge.i18n import Translator, localize
from bridge.i18n.catalogs import format_text

_SHIPPED = WidgetTexts()


@dataclass(frozen=True)
class Wording:
    note: str
    """A line in the chat log; empty: none."""
    status: str
    """The header's line from this event on; empty: it stays as it was."""


@dataclass(frozen=True)
class CustomerWords:
    """`[widget.texts]` read in one customer's language."""

    texts: WidgetTexts
    tr: Translator
    default_language: str

    def __call__(self, name: str, **places: object) -> str:
        value = getattr(self.texts, name)
        return format_text(localize(value, self.tr, self.default_language), getattr(_SHIPPED, name), places)

    def position_wait(self, position: int, minutes: int) -> str:
        """Left as shipped, the catalog's plural forms of {minutes}; a site's own wording for every count."""
        if self.texts.position_wait_status == POSITION_WAIT[1]:
            return self.tr.ngettext(*POSITION_WAIT, minutes,
                                    position=position, minutes=minutes)
        return self("position_wait_status", position=position, minutes=minutes)


def minutes(seconds: float) -> int:
    return max(1, round(seconds / 60))


def position_line(data: dict, words: CustomerWords) -> str:
    """The place in line, with a wait only where routing estimated one from recent answers."""
    position = int(data.get("position") or 0)
    if position < 1:
        return words("waiting_status")
    wait = data.get("estimated_wait")
    if isinstance(wait, (int, float)) and wait > 0:
        return words.position_wait(position, minutes(wait))
    return words("position_status", position=position)


def opens_text(opens_at: float) -> str:
    """When a closed queue opens, in UTC; the widget shows the same instant in the customer's own time
    (it finds this text through the event's `opens_text`)."""
    return datetime.fromtimestamp(opens_at, UTC).strftime("%a %d %b %H:%M UTC")


def closed_wording(data: dict, words: CustomerWords) -> Wording:
    opens_at = data.get("opens_at")
    if not isinstance(opens_at, (int, float)):
        return Wording(words("closed_for_now"), words("message_status"))
    opens = opens_text(opens_at)
    return Wording(words("closed", opens=opens), words("closed_status", opens=opens))


def event_wording(event: ChatEvent, words: CustomerWords) -> Wording | None:
    """The wording of a routing event; None for other kinds (they show their own text)."""
    data = event.data
    kind = event.kind
    if kind == EventKind.QUEUED:
        return Wording(words("waiting"), position_line(data, words))
    if kind == EventKind.POSITION:
        return Wording("", position_line(data, words))
    if kind == EventKind.OVERFLOWED:
        if data.get("message") and data.get("reason") == "closed":
            return closed_wording(data, words)
        if data.get("message"):
            note = words("nobody_signed_in" if data.get("reason") == "nobody_signed_in" else "leave_message")
            return Wording(note, words("message_status"))
        return Wording(words("overflowed"), position_line(data, words))
    if kind == EventKind.ACCEPTED:
        agent = str(data.get("agent_name") or event.author.name or "")
        return Wording(words("joined", agent=agent), words("active_status", agent=agent))
    if kind == EventKind.TRANSFERRED:
        if data.get("agent_name"):
            return Wording(words("transferred", agent=data["agent_name"]), "")
        return Wording(words("requeued"), words("waiting_status"))
    if kind == EventKind.CLOSED:
        return Wording(words("unavailable" if data.get("reason") == "unavailable" else "ended"),
                       words("ended_status"))
    return None


def chat_status(chat: Chat, agent_name: str, words: CustomerWords) -> str:
    """The header's line for a chat's state, before any event words it (a new chat, a reload)."""
    if chat.state == ChatState.ACTIVE and agent_name:
        return words("active_status", agent=agent_name)
    return words({
        ChatState.BOT: "bot_status",
        ChatState.WAITING: "waiting_status",
        ChatState.OFFERED: "waiting_status",
        ChatState.ACTIVE: "waiting_status",
        ChatState.MESSAGE: "message_status",
        ChatState.CLOSED: "ended_status",
    }[chat.state])
