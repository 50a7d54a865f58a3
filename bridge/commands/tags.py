"""`csr tag TAG...` and `csr untag TAG...`: file an open chat under a few words that reports, exports and
metrics filter by. The thread shows each change; the customer never sees tags. (`csr end CHAT OUTCOME`, the
other half of filing a chat, is routing's.)"""

from bridge.commands.registry import Arg, ChatArg, CommandError, CommandSpec, Invocation
from bridge.commands.replies import Reply, Text
from bridge.config.root import BridgeConfig
from bridge.domain.tags import MAX_TAGS, BadTag, normalise_tags, shown
from bridge.service import ChatService, TooManyTags


class TagCommands:
    def __init__(self, service: ChatService, config: BridgeConfig) -> None:
        self._service = service
        self._allowed = config.chats.tags

    def specs(self) -> list[CommandSpec]:
        return [
            CommandSpec("tag", "File the chat under tags (reports and exports filter by them; the customer never "
                        "sees them).", self.tag, chat=ChatArg.NAMED, args=(Arg("TAG...", rest=True),)),
            CommandSpec("untag", "Take tags off the chat.", self.untag, chat=ChatArg.NAMED,
                        args=(Arg("TAG...", rest=True),)),
        ]

    def _tags(self, inv: Invocation, check_allowed: bool) -> list[str]:
        if len(inv.args) > MAX_TAGS:
            raise CommandError(f"A chat carries at most {MAX_TAGS} tags; you named {len(inv.args)}.")
        try:
            tags = normalise_tags(inv.args)
        except BadTag as exc:
            raise CommandError(str(exc)) from None
        unknown = [t for t in tags if check_allowed and self._allowed and t not in self._allowed]
        if unknown:
            raise CommandError(f"{shown(unknown[0])} is not one of this team's tags: {', '.join(self._allowed)}.")
        return tags

    async def tag(self, inv: Invocation) -> Reply:
        assert inv.chat is not None  # the bus resolves the chat for ChatArg.NAMED
        tags = self._tags(inv, check_allowed=True)
        try:
            change = await self._service.change_tags(inv.chat.id, inv.agent, tags)
        except TooManyTags:
            raise CommandError(f"A chat carries at most {MAX_TAGS} tags; `csr untag` one first.") from None
        if not change.added:
            return Text(f"The chat already has {_listed(tags)}.")
        return Text(f"Tagged the chat with {_listed(change.added)}. Its tags: {_listed(change.tags)}.")

    async def untag(self, inv: Invocation) -> Reply:
        assert inv.chat is not None
        tags = self._tags(inv, check_allowed=False)
        change = await self._service.change_tags(inv.chat.id, inv.agent, [], tags)
        if not change.removed:
            return Text(f"The chat has none of {_listed(tags)}.")
        left = f"Its tags: {_listed(change.tags)}." if change.tags else "It has no tags now."
        return Text(f"Took {_listed(change.removed)} off the chat. {left}")


def _listed(tags: list[str]) -> str:
    return ", ".join(f"`{t}`" for t in tags)


def commands(service: ChatService, config: BridgeConfig) -> list[CommandSpec]:
    return TagCommands(service, config).specs()
