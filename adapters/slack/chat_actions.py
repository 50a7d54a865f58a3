"""What each button on a chat's header does: a modal to ask what's needed, then one core command.

The header (and the message shortcut) only collect input; the action itself is the same `csr ...`
command a CSR could type, run by the core with the chat known from the button.
"""

import json
import shlex
from dataclasses import asdict, dataclass
from typing import Any

from slack_sdk.models.blocks import (
    InputBlock,
    Option,
    OptionGroup,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
    UrlInputElement,
)
from slack_sdk.models.views import View

from adapters.slack.mrkdwn import escape, truncate
from adapters.slack.render.blocks import sections
from bridge.config.root import BridgeConfig
from bridge.domain.chat import Chat

MODAL_CALLBACK = "chat_action_modal"
DIRECT = {"suggest": "csr suggest", "transcript": "csr transcript"}
"""Actions that need no input run at once."""
TITLES = {"phrase": "Send a phrase", "article": "Find an article", "push": "Push a link",
          "transfer": "Transfer the chat", "end": "End the chat"}
SUBMITS = {"phrase": "Send", "article": "Search", "push": "Push", "transfer": "Transfer", "end": "End chat"}


@dataclass(frozen=True)
class ModalContext:
    """Kept in the modal's private_metadata (3,000 characters) so the submission knows its chat."""

    action: str
    chat_id: str
    channel: str = ""
    thread: str = ""

    def dump(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def load(cls, raw: str) -> "ModalContext":
        data = json.loads(raw or "{}")
        return cls(**{k: str(data.get(k, "")) for k in ("action", "chat_id", "channel", "thread")})


def modal(ctx: ModalContext, chat: Chat, config: BridgeConfig) -> dict[str, Any]:
    blocks = _inputs(ctx.action, chat, config)
    has_input = any(b.get("type") == "input" for b in blocks) or ctx.action == "end"
    view = View(type="modal", callback_id=MODAL_CALLBACK, title=TITLES[ctx.action],
                submit=SUBMITS[ctx.action] if has_input else None, close="Cancel", blocks=blocks,
                private_metadata=ctx.dump())
    return view.to_dict()


def command(action: str, values: dict[str, str]) -> str:
    """The command a submitted modal runs; free text is quoted so the core's parser reads one argument."""
    if action in DIRECT:
        return DIRECT[action]
    if action == "phrase":
        return f"csr phrase {shlex.quote(values.get('phrase', ''))}"
    if action == "article":
        return f"csr article {_words(values.get('query', ''))}"
    if action == "push":
        title = values.get("title", "").strip()
        return f"csr push {shlex.quote(values.get('url', '').strip())}" + (f" {shlex.quote(title)}" if title else "")
    if action == "transfer":
        note = values.get("note", "").strip()
        return f"csr transfer {shlex.quote(values.get('target', ''))}" + (f" {shlex.quote(note)}" if note else "")
    if action == "end":
        return "csr end"
    raise ValueError(f"unknown chat action {action!r}")


def _words(text: str) -> str:
    """Search words as typed, unless a stray quote would trip the command parser: then without quotes."""
    try:
        shlex.split(text)
    except ValueError:
        text = text.replace('"', " ").replace("'", " ")
    return " ".join(text.split())


def submitted_values(state: dict[str, Any]) -> dict[str, str]:
    """view.state.values flattened to block_id -> text (typed value or selected option)."""
    out: dict[str, str] = {}
    for block_id, elements in (state.get("values") or {}).items():
        for element in elements.values():
            chosen = element.get("selected_option") or {}
            out[block_id] = str(element.get("value") or chosen.get("value") or "")
    return out


def _inputs(action: str, chat: Chat, config: BridgeConfig) -> list[dict[str, Any]]:
    if action == "phrase":
        phrases = [p for p in config.knowledge.phrases if not p.queues or chat.queue in p.queues][:100]
        if not phrases:
            return sections("No phrases are set up for this chat's queue.")
        options = [Option(value=p.key, text=truncate(p.title, 75), description=truncate(p.text, 75))
                   for p in phrases]
        return [_input("phrase", "Phrase", StaticSelectElement(action_id="value", options=options,
                                                                 placeholder="Type to search"))]
    if action == "article":
        return [_input("query", "Search the knowledge base", PlainTextInputElement(action_id="value", max_length=200))]
    if action == "push":
        return [_input("url", "Link", UrlInputElement(action_id="value")),
                _input("title", "Title", PlainTextInputElement(action_id="value", max_length=150), optional=True)]
    if action == "transfer":
        agents = [Option(value=f"@{a.id}", text=truncate(a.display_name, 75))
                  for a in config.agents if a.id != chat.agent_id][:100]
        queues = [Option(value=q.name, text=truncate(q.display_name, 75)) for q in config.queues][:100]
        groups = [g for g in (OptionGroup(label="CSRs", options=agents), OptionGroup(label="Queues", options=queues))
                  if g.options]
        return [_input("target", "Transfer to", StaticSelectElement(action_id="value", option_groups=groups)),
                _input("note", "Note for the next CSR",
                       PlainTextInputElement(action_id="value", multiline=True, max_length=1000), optional=True)]
    if action == "end":
        return sections(f"End the chat with *{escape(chat.customer.name)}*? They are told the chat has ended.")
    raise ValueError(f"unknown chat action {action!r}")


def _input(block_id: str, label: str, element: Any, optional: bool = False) -> dict[str, Any]:
    return InputBlock(block_id=block_id, label=PlainTextObject(text=label), element=element,
                      optional=optional).to_dict()
