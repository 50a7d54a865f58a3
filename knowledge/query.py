"""Turns what a person typed into an FTS5 query: words OR-ed, so ranking (bm25) decides, not luck.

Every word is quoted, so nothing a customer types is read as FTS5 syntax (NEAR, column filters,
a stray quote), and common words that carry no meaning are dropped.
"""

import re

MAX_TERMS = 40
STOPWORDS = frozenset("""
a about above after again all also am an and any are as at be because been before being below between both
but by can could did do does doing done down during each few for from further get got had has have having he
her here hers him his how i if in into is it its itself just let me more most my myself no nor not now of off
on once only or other our ours out over own please same she should so some such than that the
their theirs them then there these they this those through to too under until up us very was we were what
when where which while who whom why will with would you your yours yourself ok okay yes don isn doesn didn
wasn weren won aren haven hasn couldn wouldn shouldn ll ve re
""".split())
"""Greetings and thanks stay: they are what the greeting and closing phrases are found by."""


def terms(text: str) -> list[str]:
    """Meaningful words of the text, in order, once each."""
    words = re.findall(r"\w+", text.lower().replace("’", "'"))
    seen: dict[str, None] = {}
    for w in words:
        if len(w) > 1 and w not in STOPWORDS and not w.isdigit():
            seen.setdefault(w, None)
    return list(seen)[:MAX_TERMS]


def fts_query(text: str) -> str:
    """'' when nothing searchable is left (the caller then returns no hits)."""
    return " OR ".join(f'"{t}"' for t in terms(text))
