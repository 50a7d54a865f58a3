"""Shared steps of the supervision tests: an app on a changed roster, commands as a platform user,
and every reply rendered by both platforms' renderers (Block Kit checked, Matrix HTML parsed)."""

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from adapters.matrix.replies import render_reply as matrix_render
from adapters.slack.render.replies import render_reply as slack_render
from bridge.app import BridgeApp
from bridge.bootstrap import bootstrap
from bridge.commands.context import CommandContext
from bridge.commands.replies import Reply, Table, Text
from bridge.config import parse_config
from testkit.configs import base_raw, merged, write_toml
from testkit.fake_blocks import MESSAGE_BLOCKS, check_blocks

ADMIN = {"id": "ada", "display_name": "Ada", "role": "admin", "slack_user_id": "UADA",
         "matrix_user_id": "@ada:localhost"}
SCOPED = {"id": "gus", "display_name": "Gus", "role": "supervisor", "supervises": ["general"],
          "slack_user_id": "UGUS", "matrix_user_id": "@gus:localhost"}


def roster(*extra: dict[str, Any]) -> list[dict[str, Any]]:
    return [*base_raw()["agents"], ADMIN, SCOPED, *extra]


def boot(tmp_path: Path, redis: Redis, redis_url: str, **overrides: Any) -> BridgeApp:
    """An app whose config is on disk too (RQ jobs load it), with an admin and a supervisor of General only."""
    raw = merged(merged(base_raw(), {"agents": roster(), "redis": {"url": redis_url}}), overrides)
    path = write_toml(tmp_path / "config.toml", raw)
    return bootstrap(parse_config(raw, base_dir=str(tmp_path), environ={}), redis, redis_url, str(path))


def ctx(app: BridgeApp, agent_id: str, platform: str = "slack", conversation: str = "",
        chat_id: str = "") -> CommandContext:
    agent = app.agent(agent_id)
    assert agent is not None
    user = agent.slack_user_id if platform == "slack" else agent.matrix_user_id
    return CommandContext(platform=platform, user_id=user, agent=agent, chat_id=chat_id, conversation=conversation)


async def run(app: BridgeApp, agent_id: str, text: str, platform: str = "slack", conversation: str = "",
              chat_id: str = "") -> Reply:
    return await app.commands.run(text, ctx(app, agent_id, platform, conversation, chat_id))


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def slack_text(reply: Reply) -> str:
    """The reply as Slack shows it; every page's blocks pass Slack's documented checks."""
    texts = []
    for message in slack_render(reply):
        assert check_blocks(message.blocks, MESSAGE_BLOCKS) == [], message.blocks
        texts += [b["text"]["text"] for b in message.blocks if b.get("type") == "section"]
    return "\n".join(texts)


def matrix_rows(reply: Table) -> list[list[str]]:
    """A table as Matrix users see it: the HTML table's cells, every page's rows after its header."""
    rows: list[list[str]] = []
    for n, (body, html) in enumerate(matrix_render(reply, "!csr")):
        assert reply.title in body
        parser = _Cells()
        parser.feed(html)
        assert parser.rows[0] == list(reply.columns)
        rows += parser.rows[1:]
    return rows


def both(reply: Reply) -> tuple[str, str]:
    """(Slack text, Matrix plain body) of a text reply, rendered by both adapters."""
    slack = slack_text(reply)
    matrix = "\n".join(body for body, _ in matrix_render(reply, "!csr"))
    return slack, matrix


def refusal(reply: Reply, words: str) -> None:
    assert isinstance(reply, Text) and reply.error, reply
    slack, matrix = both(reply)
    assert words in reply.text and words.split("`")[0] in slack and words in matrix
