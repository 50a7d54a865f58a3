"""The core's neutral command replies as Block Kit pages (50 blocks, 3,000 characters a section).

Reply text comes from the core and may quote customer input, so it is escaped like everything else;
the core's `backticks` and *stars* mean the same in mrkdwn. Buttons carry the command they run.
"""

import itertools
from collections.abc import Iterator

from adapters.slack.mrkdwn import escape, truncate
from adapters.slack.render.blocks import (
    SECTION_CHARS,
    Block,
    Message,
    actions,
    button,
    context,
    paginate,
    sections,
)
from bridge.commands.replies import Action, Choices, FileReply, ItemList, Reply, Table, Text

RUN_ACTION = "csr_run"
"""action_id prefix of every button that runs a command; `csr_run:N` keeps ids unique in a message."""


class _Ids:
    def __init__(self) -> None:
        self._n: Iterator[int] = itertools.count()

    def buttons(self, items: tuple[Action, ...]) -> list:
        return [button(a.label, f"{RUN_ACTION}:{next(self._n)}", a.command, a.style) for a in items]


def render_reply(reply: Reply) -> list[Message]:
    ids = _Ids()
    if isinstance(reply, Text):
        body = (":warning: " if reply.error else "") + escape(reply.text)
        return paginate(sections(body), truncate(reply.text, 300))
    if isinstance(reply, ItemList):
        return paginate(_item_list(reply, ids), escape(reply.title))
    if isinstance(reply, Table):
        return paginate(_table(reply), escape(reply.title))
    if isinstance(reply, Choices):
        return paginate([*sections(escape(reply.text)), *actions(ids.buttons(reply.actions))],
                        truncate(reply.text, 300))
    if isinstance(reply, FileReply):
        return [Message(text=reply.comment or reply.filename)]
    raise TypeError(f"no Slack rendering for {type(reply).__name__}")


def _item_list(reply: ItemList, ids: _Ids) -> list[Block]:
    blocks = sections(f"*{escape(reply.title)}*")
    if not reply.items:
        return [*blocks, context(escape(reply.empty))]
    for item in reply.items:
        title = f"<{escape(item.url)}|{escape(item.title)}>" if item.url.startswith(("https://", "http://")) \
            else f"*{escape(item.title)}*"
        detail = f"\n{escape(item.detail)}" if item.detail else ""
        blocks += sections(title + detail)
        if item.actions:
            blocks += actions(ids.buttons(item.actions))
    return blocks


def _table(reply: Table) -> list[Block]:
    """Monospaced columns in code blocks; rows are split over sections, never inside a row."""
    rows = [reply.columns, *reply.rows]
    widths = [max(len(str(r[i])) if i < len(r) else 0 for r in rows) for i in range(len(reply.columns))]
    lines = ["  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines = [escape(truncate(line, 500)) for line in lines]
    blocks = sections(f"*{escape(reply.title)}*")
    if not reply.rows:
        return [*blocks, context("Nothing to show.")]
    chunk: list[str] = []
    size = 0
    for line in lines:
        if chunk and size + len(line) + 1 > SECTION_CHARS - 8:
            blocks += sections("```" + "\n".join(chunk) + "```")
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    return blocks + sections("```" + "\n".join(chunk) + "```")
