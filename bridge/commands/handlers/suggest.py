"""`csr suggest`: the three phrases or article passages that best answer the customer's latest messages."""

from bridge.commands.handlers.phrases import queue_title
from bridge.commands.registry import ChatArg, CommandSpec, Invocation
from bridge.commands.replies import Action, Item, ItemList, Reply, Text
from knowledge.phrases import render_phrase
from knowledge.suggest import Suggestion, recent_customer_text, suggest

TOP = 3


async def suggest_command(inv: Invocation) -> Reply:
    chat = inv.chat
    assert chat is not None
    events = await inv.app.stream.read_all(chat.id)
    text = recent_customer_text(events, inv.app.config.knowledge.suggestion_messages)
    if not text:
        return Text("The customer hasn't written anything yet to suggest replies for.")
    found = await suggest(inv.app.knowledge, text, chat.queue, TOP)
    return ItemList(title="Suggested replies", items=tuple(_item(inv, s) for s in found),
                    empty="Nothing in the phrases or articles matches. Try `csr article WORDS`.")


def _item(inv: Invocation, s: Suggestion) -> Item:
    chat = inv.chat
    assert chat is not None
    if s.kind == "phrase":
        phrase = inv.app.knowledge.phrase(s.ref)
        preview = render_phrase(phrase, chat, inv.agent, queue_title(inv)) if phrase else s.preview
        return Item(title=f"Phrase: {s.title}", detail=preview,
                    actions=(Action("Send", f"csr phrase {chat.id} {s.ref}", "primary"),))
    return Item(title=f"Article: {s.title}", detail=s.preview,
                actions=(Action("Send", f"csr article {chat.id} send {s.ref}", "primary"),))


COMMANDS = [
    CommandSpec("suggest", "csr suggest",
                "Suggest the three best phrases or articles for the customer's last messages.",
                suggest_command, chat=ChatArg.REQUIRED, max_args=0),
]
