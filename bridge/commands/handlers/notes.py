"""`csr note TEXT`: an internal note for CSRs and supervisors, kept in the transcript, never shown to the customer."""

from bridge.commands.registry import ChatArg, CommandSpec, Invocation
from bridge.commands.replies import Reply, Text
from bridge.domain.events import Origin


async def note_command(inv: Invocation) -> Reply:
    chat = inv.chat
    assert chat is not None
    await inv.app.service.note(chat.id, inv.agent, inv.rest, Origin(platform="core"))
    return Text("Note added (only CSRs and supervisors see it).")


COMMANDS = [
    CommandSpec("note", "csr note TEXT", "Add an internal note to the chat (the customer never sees it).",
                note_command, chat=ChatArg.REQUIRED, min_args=1),
]
