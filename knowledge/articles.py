"""Knowledge articles: Markdown files with YAML front matter, read into plain records.

Each article also splits into passages (one per section) so suggestions can point at the part
of a long article that answers the customer.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,79}$"
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_md = MarkdownIt("commonmark")


class FrontMatter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field("", pattern=r"^$|" + ID_PATTERN)
    title: str = Field(min_length=1, max_length=150)
    summary: str = Field("", max_length=500)
    tags: list[str] = Field(default_factory=list)
    queues: list[str] = Field(default_factory=list)
    """Queues the article is offered in; empty means all."""
    url: HttpUrl


@dataclass(frozen=True)
class Passage:
    heading: str
    text: str


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    summary: str
    tags: tuple[str, ...]
    queues: tuple[str, ...]
    url: str
    body: str
    """Plain text of the Markdown body, for the index and snippets."""
    passages: tuple[Passage, ...]
    path: str


class ArticleProblem(ValueError):
    def __init__(self, path: Path, what: str) -> None:
        self.path = path
        super().__init__(f"{path.name}: {what}")


def parse_article(path: Path, text: str) -> Article:
    match = _FRONT.match(text)
    if not match:
        raise ArticleProblem(path, "no front matter (start the file with a --- block: title, summary, url)")
    try:
        raw = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise ArticleProblem(path, f"front matter is not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(raw, dict):
        raise ArticleProblem(path, "front matter must be a mapping of keys to values")
    try:
        meta = FrontMatter.model_validate(raw)
    except ValidationError as exc:
        where = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ArticleProblem(path, f"front matter: {where}") from None
    article_id = meta.id or path.stem.lower()
    if not re.match(ID_PATTERN, article_id):
        raise ArticleProblem(path, "the file name makes a bad id; use lowercase letters, digits, - and _ or set id:")
    passages = _passages(text[match.end():], meta.title)
    return Article(
        id=article_id, title=meta.title, summary=meta.summary, tags=tuple(meta.tags), queues=tuple(meta.queues),
        url=str(meta.url), body="\n".join(p.text for p in passages), passages=tuple(passages), path=str(path),
    )


def load_articles(folder: Path) -> tuple[list[Article], list[ArticleProblem]]:
    """Reads every *.md under the folder; a bad file is reported and skipped, never fatal."""
    articles: list[Article] = []
    problems: list[ArticleProblem] = []
    seen: dict[str, Path] = {}
    if not folder.is_dir():
        return [], [ArticleProblem(folder, "the articles folder does not exist")]
    for path in sorted(folder.rglob("*.md")):
        try:
            article = parse_article(path, path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(ArticleProblem(path, f"cannot read it ({exc.__class__.__name__})"))
            continue
        except ArticleProblem as exc:
            problems.append(exc)
            continue
        if article.id in seen:
            problems.append(ArticleProblem(path, f"id '{article.id}' is also used by {seen[article.id].name}"))
            continue
        seen[article.id] = path
        articles.append(article)
    return articles, problems


def _passages(markdown: str, title: str) -> list[Passage]:
    """Sections split at headings; text before the first heading belongs to the title."""
    passages: list[Passage] = []
    heading = title
    parts: list[str] = []
    tokens = _md.parse(markdown)
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            if parts:
                passages.append(Passage(heading, " ".join(parts)))
            heading, parts = tokens[i + 1].content, []
        elif token.type == "inline" and tokens[i - 1].type != "heading_open":
            parts.append(_plain(token.content))
        elif token.type in ("fence", "code_block"):
            parts.append(token.content.strip())
    if parts:
        passages.append(Passage(heading, " ".join(parts)))
    return passages


def _plain(inline: str) -> str:
    """Drops Markdown link targets and emphasis marks; the words are what matter for search."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", inline)
    return re.sub(r"[*_`]+", "", text).replace("\n", " ").strip()
