"""widget.js words nothing itself: every text the customer reads goes through t("msgid") (the catalog sent by
/config), so a string added to the widget without t() fails here instead of reading English to everyone."""

import re
from pathlib import Path

WIDGET = Path(__file__).resolve().parents[2] / "adapters" / "widget" / "static" / "widget.js"

BARE = [
    re.compile(r"""(?:\btext|placeholder|title|"aria-label"|alt|label)\s*:\s*["'`][^"'`]*[A-Za-z]{2}"""),
    re.compile(r"""h\("[a-z0-9]+",\s*\{[^}]*\},\s*["'`][^"'`]*[A-Za-z]{2}"""),  # a text child: h("label", {}, "Name")
    re.compile(r"""(?:textContent|fail\(|note\(|reset\()\s*=?\s*["'`][^"'`]*[A-Za-z]{2}"""),
]
ALLOWED = {'text: "★"', 'text: "✕"', 'text: "😊"'}


def test_every_customer_text_in_widget_js_goes_through_the_catalog() -> None:
    bare = [(n, m.group(0)) for n, line in enumerate(WIDGET.read_text().splitlines(), 1)
            for rx in BARE for m in rx.finditer(line) if m.group(0) not in ALLOWED]
    assert bare == [], "wrap these in t(...) and run scripts/i18n.sh extract"


def test_the_check_finds_a_bare_string() -> None:
    assert any(rx.search('h("button", { text: "Close" })') for rx in BARE)
    assert any(rx.search('h("label", {}, "Your name", h("input"))') for rx in BARE)
    assert not any(rx.search('h("button", { text: t("Close") })') for rx in BARE)
