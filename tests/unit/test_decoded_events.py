"""Decoded events shared by a process' readers: the same stored event once, anything else decoded afresh."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
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


_IDS = st.one_of(st.from_regex(r"[0-9a-z:.-]{1,20}", fullmatch=True), st.text(min_size=1))
"""Mostly what the bridge makes (plain ids, decoded in one step), and anything else (the slower path)."""


@given(st.text(), _IDS, _IDS, st.dictionaries(st.text(), st.text(), max_size=3))
def test_decoding_matches_validating_then_copying(text: str, chat_id: str, event_id: str,
                                                  data: dict[str, str]) -> None:
    """The reference is pydantic's own: validate the stored JSON, then copy it with the id and chat id."""
    stored = ChatEvent(chat_id="stored", kind=EventKind.MESSAGE, ts=1.5, text=text, data=data)
    raw = stored.model_dump_json(exclude={"id"})
    expected = ChatEvent.model_validate_json(raw).model_copy(update={"id": event_id, "chat_id": chat_id})
    assert DecodedEvents().of(chat_id, (event_id, {"e": raw})) == expected
