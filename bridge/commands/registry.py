"""Command specs and the explicit registry every platform shares.

Each area lists its commands in its own module; `all_commands` joins them, so a reader finds
any command by its module's name and nothing registers itself at import time.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from bridge.commands.context import CommandContext
from bridge.commands.replies import Reply
from bridge.domain.agent import Role
from bridge.domain.chat import Chat

if TYPE_CHECKING:
    from bridge.app import BridgeApp


class ChatArg(StrEnum):
    NONE = "none"  # the command is not about a chat
    REQUIRED = "required"  # from the thread, a leading chat id, or the caller's only open chat


@dataclass(frozen=True)
class Invocation:
    app: "BridgeApp"
    ctx: CommandContext
    args: tuple[str, ...]
    rest: str
    chat: Chat | None = None

    @property
    def agent(self):  # noqa: ANN201 - the roster entry; the bus guarantees one for every command
        assert self.ctx.agent is not None
        return self.ctx.agent


Handler = Callable[[Invocation], Awaitable[Reply]]


@dataclass(frozen=True)
class CommandSpec:
    name: str
    usage: str
    summary: str
    handler: Handler
    role: Role = Role.CSR
    chat: ChatArg = ChatArg.NONE
    min_args: int = 0
    max_args: int | None = None
    aliases: tuple[str, ...] = ()


def all_commands() -> list[CommandSpec]:
    from bridge.commands.handlers import (
        articles,
        cases,
        notes,
        phrases,
        presence,
        push,
        report,
        routing_actions,
        suggest,
        supervision_actions,
        supervision_views,
        transcript,
    )
    from bridge.commands.handlers import help as help_cmd

    return [*help_cmd.COMMANDS, *phrases.COMMANDS, *articles.COMMANDS, *suggest.COMMANDS, *push.COMMANDS,
            *notes.COMMANDS, *transcript.COMMANDS, *cases.COMMANDS, *presence.COMMANDS, *routing_actions.COMMANDS,
            *supervision_views.COMMANDS, *supervision_actions.COMMANDS, *report.COMMANDS]
