"""Text in and out of Slack's mrkdwn.

Outbound: Slack parses `<...>` as mentions and links and `&` as entities, so customer text is escaped
and `<!channel>`, `<@U123>` or `<https://evil|https://bank>` arrive as the characters typed.
Inbound: a CSR's text comes with Slack's own markup, which the customer should see as plain text.
"""

import re

_LINK = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def escape(text: str) -> str:
    """The three characters Slack asks apps to escape; everything else stays as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def to_plain(text: str) -> str:
    """A CSR's Slack message as the customer should read it: mentions and links as text, entities decoded."""

    def plain(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith(("@", "#")):
            return f"{target[0]}{label}" if label else target
        if target.startswith("!"):
            return f"@{label or target[1:].split('^')[0]}"
        if label and label != target and not target.startswith("mailto:"):
            return f"{label} ({target})"
        return label or target

    text = _LINK.sub(plain, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
