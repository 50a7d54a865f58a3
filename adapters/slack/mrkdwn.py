"""Text in and out of Slack's mrkdwn.

Outbound: Slack parses `<...>` as mentions and links and `&` as entities, so customer text is escaped
and `<!channel>`, `<@U123>` or `<https://evil|https://bank>` arrive as the characters typed.
Inbound: a CSR's text comes with Slack's own markup, which the customer should see as plain text.
"""

import re

from adapters.slack.shortcodes import to_unicode

_LINK = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def escape(text: str) -> str:
    """The three characters Slack asks apps to escape; everything else stays as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_ESCAPED_COST = {"&": 5, "<": 4, ">": 4}


def _cost(char: str) -> int:
    return _ESCAPED_COST.get(char, 2 if char > "\uffff" else 1)


def escaped_length(text: str) -> int:
    """The length of `escape(text)` as Slack may count it against a limit: in UTF-16 units, the stricter
    count (a character outside the Basic Multilingual Plane, most emoji, is two)."""
    return sum(_cost(c) for c in text)


def split_escaped(text: str, limit: int) -> list[str]:
    """`text` in pieces whose escaped lengths are each within `limit` (at least 5); joined, they are `text`.

    A piece ends after a line end, else after a space, when one is in its second half, so words stay whole."""
    pieces: list[str] = []
    start, size = 0, 0
    for end, char in enumerate(text):
        cost = _cost(char)
        if size + cost > limit:
            cut = max(text.rfind("\n", start, end), text.rfind(" ", start, end)) + 1
            if cut <= start + (end - start) // 2:
                cut = end
            pieces.append(text[start:cut])
            start, size = cut, escaped_length(text[cut:end])
            if size + cost > limit:  # the words after the break and this character don't fit together
                pieces.append(text[start:end])
                start, size = end, 0
        size += cost
    return [*pieces, text[start:]] if start < len(text) or not pieces else pieces


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def to_plain(text: str) -> str:
    """A CSR's Slack message as the customer should read it: mentions and links as text, entities decoded,
    `:shortcode:` emoji as Unicode."""

    def plain(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith(("@", "#")):
            return f"{target[0]}{label}" if label else target
        if target.startswith("!"):
            return f"@{label or target[1:].split('^')[0]}"
        if label and label != target and not target.startswith("mailto:"):
            return f"{label} ({target})"
        return label or target

    text = to_unicode(_LINK.sub(plain, text))
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
