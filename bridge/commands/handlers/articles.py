"""`csr article QUERY`: the top five knowledge articles, privately, each with a Send button;
`csr article send ID` shows the customer the article as a card (title, summary, Open)."""

from bridge.commands.bus import CommandError
from bridge.commands.registry import ChatArg, CommandSpec, Invocation
from bridge.commands.replies import Action, Item, ItemList, Reply, Text
from bridge.domain.events import EventKind, Origin

TOP = 5


async def article_command(inv: Invocation) -> Reply:
    if len(inv.args) == 2 and inv.args[0].lower() == "send":
        return await send_article(inv, inv.args[1])
    chat = inv.chat
    assert chat is not None
    query = inv.rest
    hits = await inv.app.knowledge.search_articles(query, queue=chat.queue, limit=TOP)
    items = tuple(
        Item(title=h.title, detail=f"{h.summary}\n…{h.snippet.strip('…')}…" if h.snippet else h.summary, url=h.url,
             actions=(Action("Send", f"csr article {chat.id} send {h.id}", "primary"),))
        for h in hits
    )
    return ItemList(title=f"Articles for “{query}”", items=items,
                    empty=f"No article matches “{query}”. Try other words, or `csr suggest`.")


async def send_article(inv: Invocation, article_id: str) -> Reply:
    chat = inv.chat
    assert chat is not None
    article = await inv.app.knowledge.article(article_id.lower())
    if article is None or (article.queues and chat.queue not in article.queues):
        raise CommandError(f"No article `{article_id}` for this chat's queue. Search with `csr article WORDS`.")
    data = {"title": article.title, "summary": article.summary, "url": article.url, "article_id": article.id}
    await inv.app.service.agent_message(chat.id, inv.agent, article.title, Origin(platform="core"),
                                        kind=EventKind.CARD, data=data)
    return Text(f"Sent the article “{article.title}” to {chat.customer.name}.")


COMMANDS = [
    CommandSpec("article", "csr article QUERY | csr article send ID",
                "Search the knowledge articles (top five, only you see them) and send one to the customer.",
                article_command, chat=ChatArg.REQUIRED, min_args=1, aliases=("articles", "kb")),
]
