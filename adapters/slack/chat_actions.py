"""What each button on a chat's header does: a modal to ask what's needed, then one core command.

The header (and the message shortcut) only collect input; the action itself is the same `csr ...`
command a CSR could type, run by the core with the chat known from the button. The modal is built
from the command's spec: its form labels and its declared arguments, so it never restates the grammar.
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
from bridge.commands.arguments import is_web_link
from bridge.commands.registry import Arg, ArgKind, CommandSpec
from bridge.config.root import BridgeConfig
from bridge.domain.chat import Chat
from bridge.i18n import in_language

MODAL_CALLBACK = "chat_action_modal"
MAX_OPTIONS = 100
"""Slack's limit for a static select's options (and per option group)."""
LONG_TEXT = 500
"""Free text allowed beyond this many characters gets a multi-line box."""


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


def runs_at_once(spec: CommandSpec) -> bool:
    """Commands without form labels need no input: the button runs them directly."""
    return spec.form is None


def _asked(spec: CommandSpec) -> list[Arg]:
    """The arguments a modal asks for; the chat is known from the button."""
    return [a for a in spec.args if a.kind is not ArgKind.CHAT]


def modal(ctx: ModalContext, spec: CommandSpec, chat: Chat, config: BridgeConfig) -> dict[str, Any]:
    assert spec.form is not None
    asked = _asked(spec)
    if asked:
        blocks = _inputs(asked, chat, config)
    else:
        blocks = sections(f"{spec.form.title} with *{escape(chat.customer.name)}*? {spec.form.confirm}".strip())
    has_input = any(b.get("type") == "input" for b in blocks) or not asked
    view = View(type="modal", callback_id=MODAL_CALLBACK, title=spec.form.title,
                submit=spec.form.submit if has_input else None, close="Cancel", blocks=blocks,
                private_metadata=ctx.dump())
    return view.to_dict()


def link_errors(spec: CommandSpec, values: dict[str, str]) -> dict[str, str]:
    """Link fields that hold no web link, by field: Slack shows these beside the field before anything runs."""
    return {a.form_field: "Use a link that starts with https://" for a in _asked(spec)
            if a.kind is ArgKind.URL and not is_web_link(values.get(a.form_field, "").strip())}


def command(spec: CommandSpec, values: dict[str, str]) -> str:
    """The command a submitted modal runs. A leading free-text argument is passed as words (the handler
    reads the raw text); every other value is quoted so the core's parser reads it as one argument."""
    words = ["csr", spec.name]
    for position, arg in enumerate(_asked(spec)):
        value = values.get(arg.form_field, "").strip()
        if not value:
            continue
        words.append(_words(value) if arg.rest and position == 0 else shlex.quote(value))
    return " ".join(words)


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


def _inputs(args: list[Arg], chat: Chat, config: BridgeConfig) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for arg in args:
        label = arg.label or arg.name
        if arg.kind is ArgKind.PHRASE:
            phrases = [p for p in config.knowledge.phrases if not p.queues or chat.queue in p.queues][:MAX_OPTIONS]
            if not phrases:
                return sections("No phrases are set up for this chat's queue.")
            languages = (chat.customer.language, config.languages.default)
            options = [Option(value=p.key, text=truncate(p.title, 75),
                              description=truncate(in_language(p.text, *languages), 75)) for p in phrases]
            element: Any = StaticSelectElement(action_id="value", options=options, placeholder="Type to search")
        elif arg.kind is ArgKind.OUTCOME:
            element = StaticSelectElement(action_id="value", options=[
                Option(value=o, text=o) for o in config.chats.outcomes[:MAX_OPTIONS]])
        elif arg.kind in (ArgKind.AGENT, ArgKind.QUEUE, ArgKind.TARGET):
            element = StaticSelectElement(action_id="value", option_groups=_choices(arg.kind, chat, config))
        elif arg.kind is ArgKind.URL:
            element = UrlInputElement(action_id="value")
        else:
            element = PlainTextInputElement(action_id="value", max_length=arg.max_chars or None,
                                            multiline=arg.max_chars > LONG_TEXT)
        blocks.append(InputBlock(block_id=arg.form_field, label=PlainTextObject(text=label), element=element,
                                 optional=arg.optional).to_dict())
    return blocks


def _choices(kind: ArgKind, chat: Chat, config: BridgeConfig) -> list[OptionGroup]:
    agents = [Option(value=f"@{a.id}", text=truncate(a.display_name, 75))
              for a in config.agents if a.id != chat.agent_id][:MAX_OPTIONS]
    queues = [Option(value=q.name, text=truncate(q.display_name, 75)) for q in config.queues][:MAX_OPTIONS]
    groups = [OptionGroup(label="CSRs", options=agents if kind is not ArgKind.QUEUE else []),
              OptionGroup(label="Queues", options=queues if kind is not ArgKind.AGENT else [])]
    return [g for g in groups if g.options]
