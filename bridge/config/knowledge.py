"""Knowledge base: phrases, articles, page push."""

from typing import Any

from pydantic import Field

from bridge.config.base import Section
from bridge.config.local_text import LongText
from bridge.config.problems import ConfigProblem
from bridge.phrase_template import VARIABLES, TemplateError, unknown_variables


class PhraseConfig(Section):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    title: str = Field(min_length=1, max_length=80)
    text: LongText
    """What the customer is sent: one text, or one per language (`{ en = "...", de = "..." }`); a customer
    whose language the phrase lacks gets the default language's."""
    queues: list[str] = Field(default_factory=list)
    """Empty means every queue."""
    tags: list[str] = Field(default_factory=list)
    """Extra words customers use for this topic, so suggestions find the phrase."""


class KnowledgeConfig(Section):
    articles_dir: str = "kb"
    """Markdown articles with front matter; relative paths are from the config file."""
    suggest_automatically: bool = False
    push_allowed_domains: list[str] = Field(default_factory=list)
    """`csr push` opens only links on these domains and their subdomains."""
    suggestion_messages: int = Field(3, ge=1, le=20)
    """How many of the customer's latest messages `csr suggest` reads."""
    phrases: list[PhraseConfig] = Field(default_factory=list)


def _template_problems(path: str, text: str) -> list[ConfigProblem]:
    try:
        unknown = unknown_variables(text)
    except TemplateError as exc:
        return [ConfigProblem(path, str(exc), "write variables as {customer.name}")]
    return [ConfigProblem(path, f"unknown variable {{{name}}}",
                          f"use one of: {', '.join('{' + v + '}' for v in VARIABLES)}") for name in unknown]


def phrase_problems(raw_knowledge: dict[str, Any]) -> list[ConfigProblem]:
    """Unknown variables and duplicate keys, read from raw data so every problem shows at once."""
    problems = []
    phrases = raw_knowledge.get("phrases")
    keys: list[str] = []
    for i, phrase in enumerate(phrases if isinstance(phrases, list) else []):
        if not isinstance(phrase, dict):
            continue
        if isinstance(phrase.get("key"), str):
            keys.append(phrase["key"])
        text = phrase.get("text")
        wordings = [("", text)] if isinstance(text, str) else [
            (f".{lang}", t) for lang, t in text.items() if isinstance(t, str)] if isinstance(text, dict) else []
        for suffix, wording in wordings:
            problems += _template_problems(f"knowledge.phrases[{i}].text{suffix}", wording)
    for dup in sorted({k for k in keys if keys.count(k) > 1}):
        problems.append(ConfigProblem("knowledge.phrases", f"phrase '{dup}' is defined twice",
                                      "give each phrase a unique key"))
    return problems
