"""Suggested replies: phrases and article passages ranked against what the customer just said."""

from dataclasses import dataclass

from bridge.domain.events import AuthorKind, ChatEvent, EventKind
from bridge.i18n import in_language
from knowledge.base import KnowledgeBase


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "phrase" or "article"
    ref: str
    title: str
    preview: str
    score: float


def recent_customer_text(events: list[ChatEvent], count: int) -> str:
    """The customer's latest messages since a CSR last spoke (at least the very last one)."""
    picked: list[str] = []
    for event in reversed(events):
        if event.kind != EventKind.MESSAGE:
            continue
        if event.author.kind == AuthorKind.AGENT and picked:
            break
        if event.author.kind == AuthorKind.CUSTOMER and event.text:
            picked.append(event.text)
            if len(picked) >= count:
                break
    return "\n".join(reversed(picked))


async def suggest(kb: KnowledgeBase, text: str, queue: str | None, limit: int = 3) -> list[Suggestion]:
    out = []
    for match in await kb.search_docs(text, queue, limit):
        if match.kind == "phrase":
            phrase = kb.phrase(match.ref)
            if phrase is not None:
                out.append(Suggestion("phrase", phrase.key, phrase.title, in_language(phrase.text), match.score))
        elif (article := await kb.article(match.ref)) is not None:
            out.append(Suggestion("article", article.id, article.title, match.snippet or article.summary, match.score))
    return out
