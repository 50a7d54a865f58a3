"""Decoded events shared by a process' readers: the same stored event once, anything else decoded afresh."""

import pytest
from pydantic import ValidationError

from bridge.domain.events import ChatEvent, EventKind
from bridge.events.stream import DecodedEvents


def _row(event_id: str, text: str, chat_id: str = "c1") -> tuple[str, dict[str, str]]:
    event = ChatEvent(chat_id=chat_id, kind=EventKind.MESSAGE, ts=1.5, text=text)
    return event_id, {"e": event.model_dump_json(exclude={"id"})}


def test_the_same_stored_event_is_decoded_once() -> None:
    decoded = DecodedEvents()
    first = decoded.of("c1", _row("1-0", "hello"))
    assert (first.id, first.chat_id, first.text) == ("1-0", "c1", "hello")
    assert decoded.of("c1", _row("1-0", "hello")) is first


def test_a_rewritten_event_or_another_chats_id_is_decoded_afresh() -> None:
    decoded = DecodedEvents()
    first = decoded.of("c1", _row("1-0", "hello"))
    assert decoded.of("c1", _row("1-0", "[erased]")).text == "[erased]"
    other = decoded.of("c2", _row("1-0", "hello", chat_id="c2"))
    assert other is not first and other.chat_id == "c2"


def test_it_keeps_only_the_newest() -> None:
    decoded = DecodedEvents(size=2)
    first = decoded.of("c1", _row("1-0", "a"))
    decoded.of("c1", _row("2-0", "b"))
    decoded.of("c1", _row("3-0", "c"))
    again = decoded.of("c1", _row("1-0", "a"))
    assert again == first and again is not first, "the oldest made room"


def test_a_shared_event_can_not_be_changed_by_one_reader() -> None:
    event = DecodedEvents().of("c1", _row("1-0", "hello"))
    with pytest.raises(ValidationError):
        event.text = "changed"  # type: ignore[misc]
