"""What the customer reads for each routing step: one wording for the log and the header, from [widget.texts]."""

import pytest

from adapters.widget.wording import CustomerWords, event_wording
from bridge.config import ConfigError, parse_config
from bridge.config.widget_texts import WidgetTexts
from bridge.domain.events import SYSTEM, ChatEvent, EventKind
from bridge.i18n import translator
from testkit.configs import base_raw, merged

TEXTS = CustomerWords(WidgetTexts(), translator("en"), "en")


def said(kind: EventKind, **data: object) -> tuple[str, str]:
    wording = event_wording(ChatEvent(chat_id="c", kind=kind, ts=1.0, author=SYSTEM, data=data), TEXTS)
    assert wording is not None
    return wording.note, wording.status


def test_a_wait_is_shown_only_when_routing_estimated_one() -> None:
    assert said(EventKind.QUEUED, position=3) == ("You're in line for a person from our team.",
                                                  "You're number 3 in line")
    assert said(EventKind.POSITION, position=2, estimated_wait=100) == ("", "You're number 2 in line · about 2 minutes")
    assert said(EventKind.POSITION, position=1, estimated_wait=5)[1] == "You're number 1 in line · about 1 minute"


def test_moving_on_and_leaving_a_message_change_the_header_with_the_log() -> None:
    assert said(EventKind.OVERFLOWED, to="general", position=4) == ("We're asking more of our team to help you.",
                                                                     "You're number 4 in line")
    note, status = said(EventKind.OVERFLOWED, to="", message=True, reason="nobody_signed_in")
    assert note.startswith("Nobody from our team is online right now.") and status == "Leave us a message"
    note, status = said(EventKind.OVERFLOWED, to="", message=True, reason="max_wait")
    assert note.startswith("Nobody from our team could answer in time.") and status == "Leave us a message"
    assert said(EventKind.CLOSED, reason="unavailable") == (
        "Nobody from our team can chat right now. Please try again later.", "Chat ended")
    assert said(EventKind.CLOSED, reason="customer_ended") == ("The chat has ended.", "Chat ended")


def test_texts_may_use_only_their_own_places() -> None:
    raw = merged(base_raw(), {"widget": {"texts": {"joined": "{agnt} is here", "ended": "Bye {",
                                                   "waiting": "Wait {position}"}}})
    with pytest.raises(ConfigError) as err:
        parse_config(raw, environ={})
    problems = [str(p) for p in err.value.problems]
    assert any(p.startswith("widget.texts.joined:") and "unknown {agnt}" in p and "{agent}" in p for p in problems)
    assert any(p.startswith("widget.texts.ended:") and "broken braces" in p for p in problems)
    assert any(p.startswith("widget.texts.waiting:") and "may use: none" in p for p in problems)
