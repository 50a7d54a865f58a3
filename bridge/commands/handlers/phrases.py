"""`csr phrase [KEY]`: the chat queue's common phrases, or send one to the customer as the CSR."""

from bridge.commands.bus import CommandError
from bridge.commands.registry import ChatArg, CommandSpec, Invocation
from bridge.commands.replies import Action, Item, ItemList, Reply, Text
from bridge.domain.events import Origin
from knowledge.phrases import phrases_for, render_phrase


def queue_title(inv: Invocation) -> str:
    assert inv.chat is not None
    return inv.app.config.queue_display_name(inv.chat.queue)


async def phrase_command(inv: Invocation) -> Reply:
    chat = inv.chat
    assert chat is not None
    available = phrases_for(inv.app.knowledge.phrases, chat.queue)
    if not inv.args:
        items = tuple(
            Item(title=f"{p.title} ({p.key})", detail=render_phrase(p, chat, inv.agent, queue_title(inv)),
                 actions=(Action("Send", f"csr phrase {chat.id} {p.key}", "primary"),))
            for p in available
        )
        return ItemList(title=f"Phrases for {queue_title(inv)}", items=items,
                        empty="No phrases are configured for this queue (knowledge.phrases).")
    key = inv.args[0].lower()
    phrase = next((p for p in available if p.key == key), None)
    if phrase is None:
        keys = ", ".join(f"`{p.key}`" for p in available) or "none"
        raise CommandError(f"No phrase `{key}` for this chat's queue. Phrases here: {keys}.")
    text = render_phrase(phrase, chat, inv.agent, queue_title(inv))
    await inv.app.service.agent_message(chat.id, inv.agent, text, Origin(platform="core"))
    return Text(f"Sent “{phrase.title}” to {chat.customer.name}.")


COMMANDS = [
    CommandSpec("phrase", "csr phrase [KEY]", "List this queue's common phrases, or send one to the customer.",
                phrase_command, chat=ChatArg.REQUIRED, max_args=1, aliases=("phrases",)),
]
