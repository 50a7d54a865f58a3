"""Article warnings for `check-config`, `kb reindex` and /readyz: files that were skipped, and articles that
name a queue the config lacks (they are then never offered in it). Warnings, not errors: a bad article is
skipped and the rest still serve."""

from pathlib import Path

from bridge.config.problems import ConfigProblem
from bridge.config.root import BridgeConfig
from knowledge.articles import Article, ArticleProblem, load_articles


def article_warnings(articles: list[Article], skipped: list[ArticleProblem],
                     queues: list[str]) -> list[ConfigProblem]:
    problems = []
    for p in skipped:
        what = str(p).removeprefix(f"{p.path.name}: ")
        if p.path.suffix == ".md":
            problems.append(ConfigProblem(str(p.path), f"{what}; the article is skipped",
                                          "fix the file, then run csr-bridge kb reindex"))
        else:
            problems.append(ConfigProblem("knowledge.articles_dir", f"{p.path}: {what}",
                                          "create it, or point knowledge.articles_dir at your articles"))
    for article in articles:
        for name in article.queues:
            if name not in queues:
                problems.append(ConfigProblem(
                    f"{article.path}: queues", f"names queue '{name}', which does not exist",
                    f"use one of: {', '.join(queues)}; or add a [[queues]] entry named {name}"))
    return problems


def folder_warnings(cfg: BridgeConfig) -> list[ConfigProblem]:
    """Reads the articles folder the config names (for check-config, which builds no index)."""
    folder: Path = cfg.resolve_path(cfg.knowledge.articles_dir)
    articles, skipped = load_articles(folder)
    return article_warnings(articles, skipped, [q.name for q in cfg.queues])
