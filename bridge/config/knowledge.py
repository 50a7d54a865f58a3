"""Knowledge base: phrases, articles, page push."""

from pydantic import Field

from bridge.config.base import Section


class PhraseConfig(Section):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    title: str = Field(min_length=1, max_length=80)
    text: str = Field(min_length=1, max_length=3000)
    queues: list[str] = Field(default_factory=list)
    """Empty means every queue."""
    tags: list[str] = Field(default_factory=list)
    """Extra words customers use for this topic, so suggestions find the phrase."""


class KnowledgeConfig(Section):
    articles_dir: str = "kb"
    """Markdown articles with front matter; relative paths are from the config file."""
    suggest_automatically: bool = False
    push_allowed_domains: list[str] = Field(default_factory=list)
    phrases: list[PhraseConfig] = Field(default_factory=list)
