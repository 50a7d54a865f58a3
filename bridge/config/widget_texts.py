"""What the customer reads as a chat moves: the widget header's status line and the notes in the chat.

The server words every routing step from these (adapters/widget/wording.py), so the widget shows what the
server says and a site can change the wording without touching widget.js.
"""

from string import Formatter

from pydantic import Field, ValidationInfo, field_validator

from bridge.config.base import Section

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


class WidgetTexts(Section):
    bot_status: str = Field("Ask us anything", max_length=200)
    waiting: str = Field("You're in line for a person from our team.", max_length=500)
    waiting_status: str = Field("Waiting for a person", max_length=200)
    position_status: str = Field("You're number {position} in line", max_length=200)
    position_wait_status: str = Field("You're number {position} in line · about {minutes} min", max_length=200)
    """Shown only when the estimate comes from recent answers in the queue; else position_status."""
    overflowed: str = Field("We're asking more of our team to help you.", max_length=500)
    leave_message: str = Field("Nobody from our team could answer in time. Leave a message here, with how we can "
                               "reach you, and we'll get back to you.", max_length=500)
    nobody_signed_in: str = Field("Nobody from our team is online right now. Leave a message here, with how we can "
                                  "reach you, and we'll get back to you.", max_length=500)
    message_status: str = Field("Leave us a message", max_length=200)
    closed: str = Field("We're closed right now and open again {opens}. Leave a message here and we'll answer "
                        "by email.", max_length=500)
    """Outside the queue's business hours; {opens} is shown in the customer's own time."""
    closed_status: str = Field("Closed · opens {opens}", max_length=200)
    closed_for_now: str = Field("We're closed right now. Leave a message here and we'll answer by email.",
                                max_length=500)
    """Closed with no opening ahead (no hours set for the coming year)."""
    email_needed: str = Field("Please give us your email so we can answer you.", max_length=500)
    """Asked before a message can be left, when the customer gave none."""
    unavailable: str = Field("Nobody from our team can chat right now. Please try again later.", max_length=500)
    """When no CSR platform could show a left message: the chat ends with this."""
    joined: str = Field("{agent} joined the chat", max_length=500)
    active_status: str = Field("Chatting with {agent}", max_length=200)
    transferred: str = Field("Your chat was passed to {agent}.", max_length=500)
    requeued: str = Field("We're finding someone else to help you.", max_length=500)
    ended: str = Field("The chat has ended.", max_length=500)
    ended_status: str = Field("Chat ended", max_length=200)

    @field_validator("*")
    @classmethod
    def _known_places(cls, value: str, info: ValidationInfo) -> str:
        allowed = PLACES.get(str(info.field_name), set())
        try:
            places = [(name, spec or conv) for _, name, spec, conv in Formatter().parse(value) if name is not None]
        except ValueError:
            raise ValueError("broken braces; write {{ and }} for literal ones") from None
        listed = ", ".join("{" + n + "}" for n in sorted(allowed)) or "none"
        for name, extra in places:
            if name not in allowed:
                raise ValueError(f"unknown {{{name}}}; this text may use: {listed}")
            if extra:
                raise ValueError(f"write {{{name}}} plainly, without a format or conversion")
        return value
