"""The full-text index: SQLite FTS5 with the porter stemmer, ranked by bm25, in memory per process.

Each process builds its own index from the articles folder and the configured phrases, so
several hosts never share a database file; a rebuild swaps in a new connection at once, so a
search never sees half an index. Calls are blocking and short; callers use asyncio.to_thread.
"""

import sqlite3
import threading
from dataclasses import dataclass

from knowledge.articles import Article
from knowledge.query import fts_query

TOKENIZER = "porter unicode61 remove_diacritics 2"
# bm25 weights, one per column in table order (unindexed columns get 0): title, tags, body.
WEIGHTS = "0, 0, 0, 4.0, 3.0, 1.0"
SNIPPET_TOKENS = 24
CANDIDATES = 4
"""Rows fetched per wanted hit, since several passages of one article may rank high."""


@dataclass(frozen=True)
class IndexedPhrase:
    key: str
    title: str
    text: str
    queues: tuple[str, ...]
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    ref: str
    kind: str
    score: float
    """bm25 relevance, higher is better (FTS5 reports it negated)."""
    snippet: str = ""
    heading: str = ""


class SearchIndex:
    """One FTS5 table of passages (article sections, summaries) and phrases.

    Articles are searched through their passages: more, shorter rows give bm25 better term
    statistics than a handful of whole articles, and the snippet comes from the best section.
    """

    def __init__(self) -> None:
        self._db = _connect()
        self._lock = threading.Lock()

    def rebuild(self, articles: list[Article], phrases: list[IndexedPhrase]) -> None:
        rows = []
        for a in articles:
            tags = " ".join(a.tags)
            if a.summary:
                rows.append(("article", a.id, _queues(a.queues), a.title, tags, a.summary))
            rows += [("article", a.id, _queues(a.queues), f"{a.title}: {p.heading}", tags, p.text) for p in a.passages]
        rows += [("phrase", p.key, _queues(p.queues), p.title, " ".join(p.tags), p.text) for p in phrases]
        db = _connect()
        with db:
            db.executemany("INSERT INTO docs(kind, ref, queues, title, tags, body) VALUES (?, ?, ?, ?, ?, ?)", rows)
        with self._lock:
            old, self._db = self._db, db
        old.close()

    def search(self, text: str, queue: str | None, limit: int, kinds: tuple[str, ...] = ("article", "phrase"),
               per_ref: bool = True) -> list[Match]:
        """Best matches first; with `per_ref`, only the best passage of each article."""
        query = fts_query(text)
        if not query or limit < 1:
            return []
        sql = (f"SELECT kind, ref, bm25(docs, {WEIGHTS}) AS rank, snippet(docs, 5, '', '', '…', {SNIPPET_TOKENS}),"
               f" title FROM docs WHERE docs MATCH ? AND (queues = '' OR instr(queues, ?) > 0)"
               f" AND kind IN ({', '.join('?' for _ in kinds)}) ORDER BY rank LIMIT ?")
        with self._lock:
            rows = self._db.execute(sql, (query, _queue_probe(queue), *kinds, limit * CANDIDATES)).fetchall()
        matches: list[Match] = []
        seen: set[tuple[str, str]] = set()
        for kind, ref, rank, snippet, title in rows:
            if per_ref and (kind, ref) in seen:
                continue
            seen.add((kind, ref))
            matches.append(Match(ref=ref, kind=kind, score=-rank, snippet=snippet, heading=title))
        return matches[:limit]


def _connect() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.execute(f"CREATE VIRTUAL TABLE docs USING fts5(kind UNINDEXED, ref UNINDEXED, queues UNINDEXED, title, tags,"
               f" body, tokenize='{TOKENIZER}')")
    return db


def _queues(queues: tuple[str, ...]) -> str:
    """Stored as ' a b ' so a queue filter is one instr() on ' name '."""
    return f" {' '.join(queues)} " if queues else ""


def _queue_probe(queue: str | None) -> str:
    return f" {queue} " if queue else " "
