"""Command specs: what a command is called, who may run it, and the arguments it takes.

Each feature lists its own commands (`commands(...)` in its commands module); the composition root
joins those lists explicitly, so a reader finds any command by its feature and nothing registers
itself at import time. A command's arguments are declared once here: the bus checks them and derives
the usage line, and platforms with forms build their forms from them.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from bridge.commands.context import CommandContext
from bridge.commands.replies import Reply
from bridge.config.agents import AgentConfig
from bridge.domain.agent import Role
from bridge.domain.chat import Chat


class CommandError(Exception):
    """A handler's way to answer with a clear error text."""


class ChatArg(StrEnum):
    NONE = "none"  # the command is not about a chat
    REQUIRED = "required"  # from the thread, a leading chat id, or the caller's only open chat
    NAMED = "named"  # the same, and its usage shows the optional leading `[chat]`


class ArgKind(StrEnum):
    WORD = "word"  # anything; the handler decides
    TEXT = "text"  # free text
    AGENT = "agent"  # a roster entry: `bob`, `@bob`, `<@U123>` or `@bob:example.org`
    QUEUE = "queue"  # a configured queue's name
    TARGET = "target"  # a CSR or a queue (the handler tells them apart and words its own refusal)
    CHAT = "chat"  # a chat id or id prefix
    URL = "url"  # an http(s) link
    PHRASE = "phrase"  # a phrase key of the chat's queue
    OUTCOME = "outcome"  # one of the configured `[chats] outcomes`


@dataclass(frozen=True)
class Arg:
    name: str
    """As the usage line shows it: `QUEUE`, `@agent`, `txt|html|json`."""
    kind: ArgKind = ArgKind.WORD
    optional: bool = False
    rest: bool = False
    """Takes every remaining word (free text such as a note); only the last argument may."""
    label: str = ""
    """How a form asks for it ("Transfer to"); the platforms' forms only."""
    field: str = ""
    """Its field's name in a form; the lowercased name unless given."""
    max_chars: int = 0
    """A form's limit for free text; 0 for none."""

    @property
    def usage(self) -> str:
        return f"[{self.name}]" if self.optional else self.name

    @property
    def form_field(self) -> str:
        return self.field or self.name.lower()


@dataclass(frozen=True)
class FormLabels:
    """For platforms that collect a command's arguments in a form (Slack's chat header modals)."""

    title: str
    submit: str
    confirm: str = ""
    """For a command without arguments to ask for: what pressing `submit` will do."""


@dataclass(frozen=True)
class Invocation:
    ctx: CommandContext
    args: tuple[str, ...]
    rest: str
    chat: Chat | None = None

    @property
    def agent(self) -> AgentConfig:
        """The roster entry; the bus guarantees one for every command."""
        assert self.ctx.agent is not None
        return self.ctx.agent


Handler = Callable[[Invocation], Awaitable[Reply]]


@dataclass(frozen=True)
class CommandSpec:
    name: str
    summary: str
    handler: Handler
    args: tuple[Arg, ...] = ()
    role: Role = Role.CSR
    chat: ChatArg = ChatArg.NONE
    aliases: tuple[str, ...] = ()
    form: FormLabels | None = None

    @property
    def usage(self) -> str:
        words = ["csr", self.name, *(["[chat]"] if self.chat is ChatArg.NAMED else []), *(a.usage for a in self.args)]
        return " ".join(words)

    @property
    def min_args(self) -> int:
        return sum(1 for a in self.args if not a.optional)

    @property
    def max_args(self) -> int | None:
        return None if self.args and self.args[-1].rest else len(self.args)
