"""The one normaliser of text from outside: whatever comes in, what is kept is storable everywhere."""

import json
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bridge.domain.chat import Customer
from bridge.domain.events import ChatEvent, EventKind
from bridge.text import clean_text, clean_tree

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=200)
"""Every code point, lone surrogates and C0 controls included."""


@given(ANY_TEXT)
def test_cleaned_text_is_utf8_nfc_without_controls_and_stays_put(text: str) -> None:
    cleaned = clean_text(text)
    cleaned.encode("utf-8")  # no lone surrogate left
    assert not any(ord(ch) < 32 and ch not in "\t\n" for ch in cleaned)
    assert unicodedata.is_normalized("NFC", cleaned)
    assert clean_text(cleaned) == cleaned


def test_what_each_kind_of_character_becomes() -> None:
    assert clean_text("a\x00b") == "ab"
    assert clean_text("line\r\nnext\rlast\x1b[31m\x7f") == "line\nnext\nlast[31m\x7f"
    assert clean_text("tab\tand\nnewline stay") == "tab\tand\nnewline stay"
    assert clean_text("lone \ud800 and \udfff") == "lone \ufffd and \ufffd"
    assert clean_text("pair \ud83d\ude00") == "pair \U0001f600"
    assert clean_text("Cafe\u0301") == "Caf\u00e9"
    plain = "nothing to do here"
    assert clean_text(plain) is plain


def test_domain_types_hold_clean_text_however_they_are_made() -> None:
    """Built by a caller, or read back from Redis as written before the normaliser existed."""
    customer = Customer(name="Eve\x00 Adams", email="eve\x00@example.org", attributes={"pa\x00ge": "x\ud800"})
    assert (customer.name, customer.email, customer.attributes) == ("Eve Adams", "eve@example.org", {"page": "x\ufffd"})
    raw = json.dumps({"chat_id": "c1", "kind": "message", "ts": 1.0, "text": "a\u0000b",
                      "author": {"kind": "customer", "name": "N\u0000"}, "data": {"comment": ["c\u0000"]},
                      "attachments": [{"id": "f", "filename": "r\u0000.pdf", "content_type": "x", "size": 1}]})
    event = ChatEvent.model_validate_json(raw)
    assert (event.text, event.author.name, event.data, event.attachments[0].filename) == \
        ("ab", "N", {"comment": ["c"]}, "r.pdf")
    assert ChatEvent(chat_id="c1", kind=EventKind.NOTE, ts=1.0, text="\x00x").text == "x"
    assert clean_tree({"k\x00": [1, None, "v\x00", {"n": "\ud800"}]}) == {"k": [1, None, "v", {"n": "\ufffd"}]}
