"""The knowledge tools a CSR runs in a chat: `csr phrase`, `csr article`, `csr suggest`, `csr push`.

`csr phrase [KEY]` lists the queue's common phrases or sends one as the CSR; `csr article QUERY` shows
the top five articles privately, each with a Send button, and `csr article send ID` shows the customer
one as a card; `csr suggest` offers the three phrases or passages that best answer the customer's
latest messages; `csr push URL [title]` shows the customer a card opening a page on an allowed domain
(during co-browse, or with `cobrowse.push_navigates`, a page of the customer's own site opens in their tab).
"""

from bridge.commands.registry import Arg, ArgKind, ChatArg, CommandError, CommandSpec, FormLabels, Invocation
from bridge.commands.replies import Action, Item, ItemList, Reply, Text
from bridge.config.root import BridgeConfig
from bridge.domain.chat import Chat
from bridge.domain.events import EventKind, Origin
from bridge.events.stream import ChatStream
from bridge.service import ChatService
from knowledge.base import KnowledgeBase
from knowledge.phrases import phrases_for, render_phrase
from knowledge.push import PushRefused, checked_url
from knowledge.suggest import Suggestion, recent_customer_text, suggest

ARTICLES_SHOWN = 5
SUGGESTIONS_SHOWN = 3
MAX_PUSH_TITLE = 150


class KnowledgeCommands:
    def __init__(self, knowledge: KnowledgeBase, service: ChatService, stream: ChatStream,
                 config: BridgeConfig) -> None:
        self._knowledge = knowledge
        self._service = service
        self._stream = stream
        self._config = config

    def specs(self) -> list[CommandSpec]:
        return [
            CommandSpec("phrase", "List this queue's common phrases, or send one to the customer.", self.phrase,
                        args=(Arg("KEY", ArgKind.PHRASE, optional=True, label="Phrase", field="phrase"),),
                        chat=ChatArg.REQUIRED, aliases=("phrases",), form=FormLabels("Send a phrase", "Send")),
            CommandSpec("article", "Search the knowledge articles (top five, only you see them) and send one to the "
                        "customer.", self.article,
                        args=(Arg("QUERY | csr article send ID", ArgKind.TEXT, rest=True,
                                  label="Search the knowledge base", field="query", max_chars=200),),
                        chat=ChatArg.REQUIRED, aliases=("articles", "kb"),
                        form=FormLabels("Find an article", "Search")),
            CommandSpec("suggest", "Suggest the three best phrases or articles for the customer's last messages.",
                        self.suggest, chat=ChatArg.REQUIRED),
            CommandSpec("push", "Show the customer a page (allowed domains only).", self.push,
                        args=(Arg("URL", ArgKind.URL, label="Link"),
                              Arg("title", ArgKind.TEXT, optional=True, rest=True, label="Title",
                                  max_chars=MAX_PUSH_TITLE)),
                        chat=ChatArg.REQUIRED, form=FormLabels("Push a link", "Push")),
        ]

    def _queue_title(self, chat: Chat) -> str:
        return self._config.queue_display_name(chat.queue)

    async def phrase(self, inv: Invocation) -> Reply:
        chat = inv.chat
        assert chat is not None
        available = phrases_for(self._knowledge.phrases, chat.queue)
        if not inv.args:
            items = tuple(
                Item(title=f"{p.title} ({p.key})", detail=render_phrase(p, chat, inv.agent, self._queue_title(chat)),
                     actions=(Action("Send", f"csr phrase {chat.id} {p.key}", "primary"),))
                for p in available
            )
            return ItemList(title=f"Phrases for {self._queue_title(chat)}", items=items,
                            empty="No phrases are configured for this queue (knowledge.phrases).")
        key = inv.args[0].lower()
        phrase = next((p for p in available if p.key == key), None)
        if phrase is None:
            keys = ", ".join(f"`{p.key}`" for p in available) or "none"
            raise CommandError(f"No phrase `{key}` for this chat's queue. Phrases here: {keys}.")
        text = render_phrase(phrase, chat, inv.agent, self._queue_title(chat))
        await self._service.agent_message(chat.id, inv.agent, text, Origin(platform="core"))
        return Text(f"Sent “{phrase.title}” to {chat.customer.name}.")

    async def article(self, inv: Invocation) -> Reply:
        if len(inv.args) == 2 and inv.args[0].lower() == "send":
            return await self._send_article(inv, inv.args[1])
        chat = inv.chat
        assert chat is not None
        query = inv.rest
        hits = await self._knowledge.search_articles(query, queue=chat.queue, limit=ARTICLES_SHOWN)
        items = tuple(
            Item(title=h.title, detail=f"{h.summary}\n…{h.snippet.strip('…')}…" if h.snippet else h.summary,
                 url=h.url, actions=(Action("Send", f"csr article {chat.id} send {h.id}", "primary"),))
            for h in hits
        )
        return ItemList(title=f"Articles for “{query}”", items=items,
                        empty=f"No article matches “{query}”. Try other words, or `csr suggest`.")

    async def _send_article(self, inv: Invocation, article_id: str) -> Reply:
        chat = inv.chat
        assert chat is not None
        article = await self._knowledge.article(article_id.lower())
        if article is None or (article.queues and chat.queue not in article.queues):
            raise CommandError(f"No article `{article_id}` for this chat's queue. Search with `csr article WORDS`.")
        data: dict[str, object] = {"title": article.title, "summary": article.summary, "url": article.url,
                                   "article_id": article.id}
        await self._service.agent_message(chat.id, inv.agent, article.title, Origin(platform="core"),
                                          kind=EventKind.CARD, data=data)
        return Text(f"Sent the article “{article.title}” to {chat.customer.name}.")

    async def suggest(self, inv: Invocation) -> Reply:
        chat = inv.chat
        assert chat is not None
        events = await self._stream.read_all(chat.id)
        text = recent_customer_text(events, self._config.knowledge.suggestion_messages)
        if not text:
            return Text("The customer hasn't written anything yet to suggest replies for.")
        found = await suggest(self._knowledge, text, chat.queue, SUGGESTIONS_SHOWN)
        return ItemList(title="Suggested replies", items=tuple(self._suggestion(inv, chat, s) for s in found),
                        empty="Nothing in the phrases or articles matches. Try `csr article WORDS`.")

    def _suggestion(self, inv: Invocation, chat: Chat, s: Suggestion) -> Item:
        if s.kind == "phrase":
            phrase = self._knowledge.phrase(s.ref)
            preview = render_phrase(phrase, chat, inv.agent, self._queue_title(chat)) if phrase else s.preview
            return Item(title=f"Phrase: {s.title}", detail=preview,
                        actions=(Action("Send", f"csr phrase {chat.id} {s.ref}", "primary"),))
        return Item(title=f"Article: {s.title}", detail=s.preview,
                    actions=(Action("Send", f"csr article {chat.id} send {s.ref}", "primary"),))

    async def push(self, inv: Invocation) -> Reply:
        chat = inv.chat
        assert chat is not None
        try:
            url, host = checked_url(inv.args[0], self._config.knowledge.push_allowed_domains)
        except PushRefused as exc:
            raise CommandError(str(exc)) from None
        title = " ".join(inv.args[1:]).strip()[:MAX_PUSH_TITLE] or host
        await self._service.agent_message(chat.id, inv.agent, title, Origin(platform="core"), kind=EventKind.CARD,
                                          data={"title": title, "summary": host, "url": url, "push": True,
                                                "navigate": self._config.cobrowse.push_navigates})
        return Text(f"Pushed {url} to {chat.customer.name}.")


def commands(knowledge: KnowledgeBase, service: ChatService, stream: ChatStream,
             config: BridgeConfig) -> list[CommandSpec]:
    return KnowledgeCommands(knowledge, service, stream, config).specs()
