"""Runs a command: parse, look up, check the caller's role, find the chat, check the arguments, call the handler.

Every refusal and mistake comes back as a helpful Text reply; nothing here raises to an adapter.
"""

import logging
from collections.abc import Awaitable, Callable, Iterable

from bridge.chats import ChatRepository
from bridge.commands.arguments import argument_error
from bridge.commands.context import CommandContext
from bridge.commands.parser import ParseError, parse
from bridge.commands.registry import ChatArg, CommandError, CommandSpec, Invocation
from bridge.commands.replies import Reply, Text
from bridge.config.root import BridgeConfig
from bridge.domain.agent import Role
from bridge.domain.chat import Chat, ChatState
from bridge.service import ChatClosed, NotYours, UnknownChat
from bridge.text import clean_text

log = logging.getLogger(__name__)

OpenChatIds = Callable[[str], Awaitable[list[str]]]
"""An agent's open chat ids (routing keeps them): the chat a command means when only one is open."""


class CommandBus:
    def __init__(self, chats: ChatRepository, open_chat_ids: OpenChatIds, config: BridgeConfig) -> None:
        self._chats = chats
        self._open_chat_ids = open_chat_ids
        self._config = config
        self.specs: dict[str, CommandSpec] = {}
        self._names: dict[str, CommandSpec] = {}

    def register(self, specs: Iterable[CommandSpec]) -> None:
        for spec in specs:
            self.specs[spec.name] = spec
            self._names.update({alias: spec for alias in (spec.name, *spec.aliases)})

    def visible_to(self, role: Role | None) -> list[CommandSpec]:
        return [s for s in self.specs.values() if role is not None and role.at_least(s.role)]

    async def run(self, text: str, ctx: CommandContext) -> Reply:
        """`text` as a platform sent it: cleaned here, since some of it reaches routing's scripts (transfer
        notes, broadcasts) without passing through a ChatEvent."""
        try:
            parsed = parse(clean_text(text))
        except ParseError as exc:
            return Text(f"{exc}. Try `csr help`.", error=True)
        spec = self._names.get(parsed.name)
        if spec is None:
            return Text(f"Unknown command `{parsed.name}`. `csr help` lists what you can run.", error=True)
        if ctx.agent is None:
            log.warning("command %s refused: %s on %s is not on the roster", spec.name, ctx.user_id, ctx.platform)
            return Text("You are not on this team's roster, so CSR Bridge can't take commands from you.", error=True)
        if not Role(ctx.agent.role).at_least(spec.role):
            log.warning("command %s refused: %s lacks role %s", spec.name, ctx.agent.id, spec.role)
            return Text(f"`csr {spec.name}` is for the {spec.role} role and up.", error=True)
        args, rest = parsed.args, parsed.rest
        chat = None
        if spec.chat is not ChatArg.NONE:
            found = await self._resolve_chat(ctx, args)
            if isinstance(found, Text):
                return found
            chat, consumed = found
            if consumed:
                args = args[1:]
                rest = rest.partition(" ")[2].strip()
        if len(args) < spec.min_args or (spec.max_args is not None and len(args) > spec.max_args):
            return Text(f"Usage: `{spec.usage}`", error=True)
        for arg, value in zip(spec.args, args):
            if problem := await argument_error(arg, value, self._config, self._chats.find):
                return Text(problem, error=True)
        try:
            return await spec.handler(Invocation(ctx, args, rest, chat))
        except CommandError as exc:
            return Text(str(exc), error=True)
        except NotYours:
            return Text("That chat is not yours.", error=True)
        except ChatClosed:
            return Text("That chat has ended.", error=True)
        except UnknownChat:
            return Text("No such chat.", error=True)

    async def _resolve_chat(self, ctx: CommandContext, args: tuple[str, ...]) -> tuple[Chat, bool] | Text:
        chats = self._chats
        if ctx.chat_id:
            chat = await chats.get(ctx.chat_id)
            if chat:
                return chat, bool(args and args[0] == chat.id)
        if args and (chat := await chats.find(args[0])):
            return chat, True
        assert ctx.agent is not None
        mine = [c for c in [await chats.get(i) for i in await self._open_chat_ids(ctx.agent.id)]
                if c and c.state == ChatState.ACTIVE]
        if len(mine) == 1:
            return mine[0], False
        if not mine:
            return Text("You have no open chat. Name one by its id (`csr chats` lists them).", error=True)
        ids = ", ".join(f"`{c.id}` ({c.customer.name})" for c in mine)
        return Text(f"You have several open chats; name one: {ids}.", error=True)
