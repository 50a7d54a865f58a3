"""Small builders over slack_sdk.models.blocks that keep content inside Slack's limits.

`to_dict()` on slack_sdk's models raises when a limit is broken, so a message we build can't be
refused by Slack for its shape; long text is split or shortened here before that check.
Every mrkdwn text object is verbatim: Slack otherwise links bare URLs and channel names and parses some
mentions in it, and most of ours carry a customer's words. Our own links and mentions are written out
(`<url|label>`, `<@U123>`), which verbatim text still shows as such.
"""

from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from adapters.slack.mrkdwn import escape, truncate

MAX_BLOCKS = 50
SECTION_CHARS = 3000
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
HEADER_CHARS = 150
ACTIONS_PER_BLOCK = 25

Block = dict[str, Any]


@dataclass
class Message:
    """What chat.postMessage, chat.update or a response_url takes: fallback text plus blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)


def header(text: str) -> Block:
    return HeaderBlock(text=PlainTextObject(text=truncate(text, HEADER_CHARS), emoji=True)).to_dict()


def literal(text: str) -> MarkdownTextObject:
    """mrkdwn that Slack shows as written: no mention, channel or link it wasn't given in Slack's own syntax."""
    return MarkdownTextObject(text=text, verbatim=True)


def sections(mrkdwn: str) -> list[Block]:
    """One section per 3,000 characters, split at line ends where possible."""
    return [SectionBlock(text=literal(part)).to_dict() for part in split_text(mrkdwn, SECTION_CHARS)]


def fields(pairs: list[tuple[str, str]]) -> Block:
    """Up to ten label/value pairs in two columns; values are escaped here."""
    texts = [literal(f"*{label}*\n{escape(truncate(value, 300))}") for label, value in pairs]
    return SectionBlock(fields=texts[:10]).to_dict()


def context(mrkdwn: str) -> Block:
    return ContextBlock(elements=[literal(truncate(mrkdwn, SECTION_CHARS))]).to_dict()


def divider() -> Block:
    return DividerBlock().to_dict()


def button(label: str, action_id: str, value: str, style: str = "") -> ButtonElement:
    if len(value) > BUTTON_VALUE:
        raise ValueError(f"button value of {len(value)} characters is over Slack's {BUTTON_VALUE}")
    return ButtonElement(text=PlainTextObject(text=truncate(label, BUTTON_TEXT), emoji=True), action_id=action_id,
                         value=value, style=style or None)


def actions(buttons: list[ButtonElement], block_id: str | None = None) -> list[Block]:
    return [ActionsBlock(elements=buttons[i:i + ACTIONS_PER_BLOCK], block_id=block_id).to_dict()
            for i in range(0, len(buttons), ACTIONS_PER_BLOCK)]


def split_text(text: str, limit: int) -> list[str]:
    """Parts of at most `limit` characters of mrkdwn, cut at a line end, else after a space, else where no
    entity (`&amp;`) or link (`<url|label>`) is cut in two."""
    text = text or " "
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut <= limit // 2:
            cut = text.rfind(" ", 0, limit) + 1
        if cut <= limit // 2:
            cut = _outside_markup(text, limit)
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*parts, text] if text else parts


def _outside_markup(text: str, cut: int) -> int:
    entity = text.rfind("&", cut - 4, cut)
    if entity != -1 and ";" not in text[entity:cut]:
        cut = entity
    link = text.rfind("<", cut // 2, cut)
    return link if link > 0 and ">" not in text[link:cut] else cut


def paginate(blocks: list[Block], text: str, per_page: int = MAX_BLOCKS - 1) -> list[Message]:
    """Pages of at most 50 blocks; each page after the first says which one it is."""
    pages = [blocks[i:i + per_page] for i in range(0, len(blocks), per_page)] or [[]]
    if len(pages) == 1:
        return [Message(text=text, blocks=pages[0])]
    return [Message(text=f"{text} ({n}/{len(pages)})", blocks=[*page, context(f"Page {n} of {len(pages)}")])
            for n, page in enumerate(pages, 1)]
