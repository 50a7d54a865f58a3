"""What the customer reads as a chat moves: the widget header's status line and the notes in the chat.

The server words every routing step from these (adapters/widget/wording.py), so the widget shows what the
server says and a site can change the wording without touching widget.js. Each text is one string for every
language or a table by language (bridge/config/local_text.py); the defaults are catalog msgids, so a
default left as shipped reads in the customer's language.
"""

from string import Formatter

from pydantic import ValidationInfo, field_validator

from bridge.config.base import Section
from bridge.config.local_text import Line, Text, texts_of
from bridge.i18n.markers import N_, nN_

PLACES: dict[str, set[str]] = {
    "position_status": {"position"},
    "position_wait_status": {"position", "minutes"},
    "joined": {"agent"},
    "active_status": {"agent"},
    "transferred": {"agent"},
    "closed": {"opens"},
    "closed_status": {"opens"},
}
"""The {names} a text may use; texts not listed take none."""

POSITION_WAIT = nN_("You're number {position} in line · about {minutes} minute",
                    "You're number {position} in line · about {minutes} minutes")
"""position_wait_status's default, with each language's plural forms for {minutes} in the catalogs."""


class WidgetTexts(Section):
    bot_status: Line = N_("Ask us anything")
    waiting: Text = N_("You're in line for a person from our team.")
    waiting_status: Line = N_("Waiting for a person")
    position_status: Line = N_("You're number {position} in line")
    position_wait_status: Line = POSITION_WAIT[1]
    """Shown only when the estimate comes from recent answers in the queue; else position_status. Left as
    shipped, it takes each language's plural forms for {minutes}; a site's own wording is used for every count."""
    overflowed: Text = N_("We're asking more of our team to help you.")
    leave_message: Text = N_("Nobody from our team could answer in time. Leave a message here, with how we can "
                             "reach you, and we'll get back to you.")
    nobody_signed_in: Text = N_("Nobody from our team is online right now. Leave a message here, with how we can "
                                "reach you, and we'll get back to you.")
    message_status: Line = N_("Leave us a message")
    closed: Text = N_("We're closed right now and open again {opens}. Leave a message here and we'll answer by email.")
    """Outside the queue's business hours; {opens} is shown in the customer's own time."""
    closed_status: Line = N_("Closed · opens {opens}")
    closed_for_now: Text = N_("We're closed right now. Leave a message here and we'll answer by email.")
    """Closed with no opening ahead (no hours set for the coming year)."""
    email_needed: Text = N_("Please give us your email so we can answer you.")
    """Asked before a message can be left, when the customer gave none."""
    unavailable: Text = N_("Nobody from our team can chat right now. Please try again later.")
    """When no CSR platform could show a left message: the chat ends with this."""
    joined: Text = N_("{agent} joined the chat")
    active_status: Line = N_("Chatting with {agent}")
    transferred: Text = N_("Your chat was passed to {agent}.")
    requeued: Text = N_("We're finding someone else to help you.")
    ended: Text = N_("The chat has ended.")
    ended_status: Line = N_("Chat ended")

    @field_validator("*")
    @classmethod
    def _known_places(cls, value: str | dict[str, str], info: ValidationInfo) -> str | dict[str, str]:
        allowed = PLACES.get(str(info.field_name), set())
        listed = ", ".join("{" + n + "}" for n in sorted(allowed)) or "none"
        for text in texts_of(value):
            try:
                places = [(name, spec or conv) for _, name, spec, conv in Formatter().parse(text) if name is not None]
            except ValueError:
                raise ValueError("broken braces; write {{ and }} for literal ones") from None
            for name, extra in places:
                if name not in allowed:
                    raise ValueError(f"unknown {{{name}}}; this text may use: {listed}")
                if extra:
                    raise ValueError(f"write {{{name}}} plainly, without a format or conversion")
        return value
