"""`csr note TEXT`: an internal note for CSRs and supervisors, kept in the transcript, never shown to the customer."""

from bridge.commands.registry import Arg, ArgKind, ChatArg, CommandSpec, Invocation
from bridge.commands.replies import Reply, Text
from bridge.domain.events import Origin
from bridge.service import ChatService


def commands(service: ChatService) -> list[CommandSpec]:
    async def note_command(inv: Invocation) -> Reply:
        chat = inv.chat
        assert chat is not None
        await service.note(chat.id, inv.agent, inv.rest, Origin(platform="core"))
        return Text("Note added (only CSRs and supervisors see it).")

    return [CommandSpec("note", "Add an internal note to the chat (the customer never sees it).", note_command,
                        args=(Arg("TEXT", ArgKind.TEXT, rest=True),), chat=ChatArg.REQUIRED)]
