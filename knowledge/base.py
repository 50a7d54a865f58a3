"""The knowledge base a process serves from: articles and phrases, indexed on first use.

Re-indexing happens when the articles folder changes (watchfiles, in `serve`), when an admin
runs `csr-bridge kb reindex` (announced on the change feed as `kb:reindex`), or on demand.
"""

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from watchfiles import awatch

from bridge.config.knowledge import PhraseConfig
from bridge.config.local_text import texts_of
from bridge.config.problems import ConfigProblem
from bridge.config.root import BridgeConfig
from bridge.phrase_template import strip_variables
from knowledge.articles import Article, ArticleProblem, load_articles
from knowledge.checks import article_warnings
from knowledge.index import IndexedPhrase, Match, SearchIndex

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ArticleHit:
    id: str
    title: str
    summary: str
    url: str
    snippet: str
    score: float


@dataclass(frozen=True)
class ReindexResult:
    articles: int
    problems: list[ArticleProblem]


class KnowledgeBase:
    def __init__(self, config: BridgeConfig) -> None:
        self._config = config
        self.folder: Path = config.resolve_path(config.knowledge.articles_dir)
        self._index = SearchIndex()
        self._articles: dict[str, Article] = {}
        self._warnings: list[ConfigProblem] = []
        self._ready = False
        self._lock = asyncio.Lock()

    @property
    def phrases(self) -> list[PhraseConfig]:
        return list(self._config.knowledge.phrases)

    def phrase(self, key: str) -> PhraseConfig | None:
        return next((p for p in self._config.knowledge.phrases if p.key == key), None)

    async def reindex(self) -> ReindexResult:
        async with self._lock:
            articles, problems = await asyncio.to_thread(load_articles, self.folder)
            phrases = [IndexedPhrase(p.key, p.title, strip_variables(" ".join(texts_of(p.text))),
                                     tuple(p.queues), tuple(p.tags))
                       for p in self._config.knowledge.phrases]
            await asyncio.to_thread(self._index.rebuild, articles, phrases)
            self._articles = {a.id: a for a in articles}
            self._warnings = article_warnings(articles, problems, [q.name for q in self._config.queues])
            self._ready = True
        for warning in self._warnings:
            log.warning("knowledge: %s", warning)
        log.info("knowledge index built: %d articles, %d phrases", len(articles), len(phrases))
        return ReindexResult(len(articles), problems)

    async def article(self, article_id: str) -> Article | None:
        await self._ensure_ready()
        return self._articles.get(article_id)

    async def warnings(self) -> list[ConfigProblem]:
        """Skipped files and articles naming a queue the config lacks, as of the last index."""
        await self._ensure_ready()
        return list(self._warnings)

    async def all_articles(self) -> list[Article]:
        await self._ensure_ready()
        return list(self._articles.values())

    async def search_articles(self, query: str, queue: str | None = None, limit: int = 5) -> list[ArticleHit]:
        """Ranked full-text search (bm25, stemmed) over the articles a queue may offer."""
        await self._ensure_ready()
        matches = await asyncio.to_thread(self._index.search, query, queue, limit, ("article",))
        return [self._hit(m) for m in matches if m.ref in self._articles]

    async def search_docs(self, query: str, queue: str | None, limit: int) -> list[Match]:
        """Phrases and article passages ranked together (one table, so scores compare)."""
        await self._ensure_ready()
        return await asyncio.to_thread(self._index.search, query, queue, limit)

    async def on_reindex_request(self, _entity_id: str) -> None:
        """Change-feed handler for `kb:reindex`."""
        await self.reindex()

    async def watch(self, stop: asyncio.Event) -> None:
        """Re-indexes when files under the articles folder change, until `stop` is set."""
        if not self.folder.is_dir():
            log.warning("not watching %s: the articles folder does not exist", self.folder)
            return
        async for _changes in awatch(self.folder, stop_event=stop, recursive=True):
            await self.reindex()

    async def _ensure_ready(self) -> None:
        if not self._ready:
            await self.reindex()

    def _hit(self, match: Match) -> ArticleHit:
        a = self._articles[match.ref]
        return ArticleHit(id=a.id, title=a.title, summary=a.summary, url=a.url, snippet=match.snippet or a.summary,
                          score=round(match.score, 4))
