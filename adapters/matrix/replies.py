"""Neutral command replies as Matrix HTML pages with plain-text bodies.

Matrix has no buttons for bots, so an action shows the command that does the same; long lists and
tables are cut into pages that the caller pages through with `!more`.
"""

from html import escape

from adapters.matrix.render import chunks
from bridge.commands.replies import Action, Choices, FileReply, Item, ItemList, Reply, Table, Text

PAGE_ITEMS = 15
PAGE_ROWS = 25
Page = tuple[str, str]
"""(plain body, HTML)."""


def render_reply(reply: Reply, prefix: str) -> list[Page]:
    """One or more pages; a FileReply's page is its comment (the file goes separately)."""
    if isinstance(reply, Text):
        mark = "⚠️ " if reply.error else ""
        return [(mark + part, mark + _inline(part)) for part in chunks(reply.text)] or [(mark, mark)]
    if isinstance(reply, ItemList):
        if not reply.items:
            return [(f"{reply.title}\n{reply.empty}", f"<b>{escape(reply.title)}</b><br>{escape(reply.empty)}")]
        groups = [reply.items[i:i + PAGE_ITEMS] for i in range(0, len(reply.items), PAGE_ITEMS)]
        return [_items_page(reply.title, group, prefix, n, len(groups)) for n, group in enumerate(groups, 1)]
    if isinstance(reply, Table):
        row_groups = [reply.rows[i:i + PAGE_ROWS] for i in range(0, len(reply.rows), PAGE_ROWS)] or [()]
        return [_table_page(reply, rows, n, len(row_groups)) for n, rows in enumerate(row_groups, 1)]
    if isinstance(reply, Choices):
        body = [reply.text, *(_action_text(a, prefix) for a in reply.actions)]
        listed = "".join(f"<li>{_action_html(a, prefix)}</li>" for a in reply.actions)
        html = f"{_inline(reply.text)}<ul>{listed}</ul>"
        return [("\n".join(body), html)]
    if isinstance(reply, FileReply):
        return [(reply.comment, _inline(reply.comment))] if reply.comment else []
    raise TypeError(f"no Matrix rendering for {type(reply).__name__}")


def with_more_hint(page: Page, remaining: int) -> Page:
    hint = f"({remaining} more page{'s' if remaining != 1 else ''}: send !more)"
    return f"{page[0]}\n{hint}", f"{page[1]}<br><i>{escape(hint)}</i>"


def _items_page(title: str, items: tuple[Item, ...], prefix: str, n: int, total: int) -> Page:
    head = title if total == 1 else f"{title} ({n}/{total})"
    body = [head]
    html = [f"<b>{escape(head)}</b><ul>"]
    for item in items:
        line = item.title + (f" — {item.detail}" if item.detail else "") + (f" {item.url}" if item.url else "")
        actions = "; ".join(_action_text(a, prefix) for a in item.actions)
        body.append(f"• {line}" + (f" [{actions}]" if actions else ""))
        title_html = (f'<a href="{escape(item.url)}">{_inline(item.title)}</a>'
                      if item.url.startswith(("https://", "http://")) else _inline(item.title))
        detail = f" — {_inline(item.detail)}" if item.detail else ""
        acts = "; ".join(_action_html(a, prefix) for a in item.actions)
        html.append(f"<li>{title_html}{detail}" + (f" <small>[{acts}]</small>" if acts else "") + "</li>")
    html.append("</ul>")
    return "\n".join(body), "".join(html)


def _table_page(table: Table, rows: tuple[tuple[str, ...], ...], n: int, total: int) -> Page:
    head = table.title if total == 1 else f"{table.title} ({n}/{total})"
    widths = [max([len(c), *(len(r[i]) for r in rows if i < len(r))]) for i, c in enumerate(table.columns)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()

    body = "\n".join([head, line(table.columns), *(line(r) for r in rows)])
    th = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    trs = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return body, f"<b>{escape(head)}</b><table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>"


def command_text(action: Action, prefix: str) -> str:
    """What a CSR types to do what the action's button would (Matrix has no buttons for bots)."""
    words = action.command.split(" ", 1)
    rest = words[1] if words[0].lower() in ("csr", "/csr", "!csr") and len(words) > 1 else action.command
    return f"{prefix} {rest}"


def _action_text(action: Action, prefix: str) -> str:
    return f"{action.label}: {command_text(action, prefix)}"


def _action_html(action: Action, prefix: str) -> str:
    return f"{escape(action.label)}: <code>{escape(command_text(action, prefix))}</code>"


def _inline(text: str) -> str:
    """Escapes, keeps line breaks and turns `code` spans (the core's replies use them) into <code>."""
    parts = escape(text).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: no code spans at all
        return escape(text).replace("\n", "<br>")
    return "".join(p if i % 2 == 0 else f"<code>{p}</code>" for i, p in enumerate(parts)).replace("\n", "<br>")
