"""Service cases: typed forms a CSR fills from a chat, sent to the company's CRM by webhook."""

import re
from typing import Annotated, Any, Literal

from pydantic import Field, HttpUrl, SecretStr

from bridge.config.base import Section
from bridge.config.problems import ConfigProblem

FieldType = Literal["text", "longtext", "integer", "number", "money", "email", "phone", "date", "choice"]
Prefill = Literal["", "customer.name", "customer.email", "messages"]


Seconds = Annotated[int, Field(ge=0, le=86400)]


class CaseFieldConfig(Section):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    label: str = Field(min_length=1, max_length=80)
    type: FieldType = "text"
    required: bool = True
    choices: list[str] = Field(default_factory=list)
    """For type = "choice": the allowed answers."""
    pattern: str = ""
    """A regular expression the answer must match; with prefill = "messages" it also finds the value."""
    min: float | None = None
    max: float | None = None
    max_length: int = Field(500, ge=1, le=5000)
    prefill: Prefill = ""
    """Where a first value comes from: the customer's name or email, or their messages (needs pattern)."""
    hint: str = Field("", max_length=200)


class CaseTypeConfig(Section):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    title: str = Field(min_length=1, max_length=80)
    webhook_url: HttpUrl
    queues: list[str] = Field(default_factory=list)
    """Queues whose CSRs are offered this case type; empty means all."""
    fields: list[CaseFieldConfig] = Field(min_length=1, max_length=20)


class CasesConfig(Section):
    webhook_secret: SecretStr = SecretStr("")
    """Signs every webhook body (HMAC-SHA256); or CSR_CASES_WEBHOOK_SECRET."""
    reference_prefix: str = Field("CASE", pattern=r"^[A-Z][A-Z0-9]{0,9}$")
    retry_intervals: list[Seconds] = Field(default_factory=lambda: [10, 30, 60, 300, 900, 1800, 3600], min_length=1)
    """Seconds between webhook attempts; the last repeats until max_attempts."""
    max_attempts: int = Field(48, ge=1, le=1000)
    timeout_seconds: float = Field(10.0, gt=0, le=120)
    types: list[CaseTypeConfig] = Field(default_factory=list)

    def type(self, type_id: str) -> CaseTypeConfig | None:
        return next((t for t in self.types if t.id == type_id), None)


def case_problems(raw_cases: dict[str, Any], queue_names: set[str]) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []
    listed = raw_cases.get("types")
    types = [t for t in listed if isinstance(t, dict)] if isinstance(listed, list) else []
    if types and not raw_cases.get("webhook_secret"):
        problems.append(ConfigProblem("cases.webhook_secret", "case types are defined but webhooks would go unsigned",
                                      "set cases.webhook_secret or CSR_CASES_WEBHOOK_SECRET"))
    ids = [t.get("id") for t in types]
    for dup in sorted({i for i in ids if isinstance(i, str) and ids.count(i) > 1}):
        problems.append(ConfigProblem("cases.types", f"case type '{dup}' is defined twice",
                                      "give each type a unique id"))
    for i, t in enumerate(types):
        for j, q in enumerate(queues if isinstance(queues := t.get("queues", []), list) else []):
            if isinstance(q, str) and q not in queue_names:
                problems.append(ConfigProblem(f"cases.types[{i}].queues[{j}]",
                                              f"names queue '{q}', which does not exist",
                                              f"use one of: {', '.join(sorted(queue_names))}"))
        fields = declared if isinstance(declared := t.get("fields"), list) else []
        names = [f.get("name") for f in fields if isinstance(f, dict)]
        for dup in sorted({n for n in names if isinstance(n, str) and names.count(n) > 1}):
            problems.append(ConfigProblem(f"cases.types[{i}].fields", f"field '{dup}' is defined twice", "rename one"))
        for j, f in enumerate(x for x in fields if isinstance(x, dict)):
            problems += _field_problems(f"cases.types[{i}].fields[{j}]", f)
    return problems


def _field_problems(path: str, f: dict[str, Any]) -> list[ConfigProblem]:
    problems = []
    if f.get("type") == "choice" and not f.get("choices"):
        problems.append(ConfigProblem(f"{path}.choices", "a choice field needs choices", 'add choices = ["a", "b"]'))
    pattern = f.get("pattern")
    if isinstance(pattern, str) and pattern:
        try:
            re.compile(pattern)
        except re.error as exc:
            problems.append(ConfigProblem(f"{path}.pattern", f"not a valid regular expression ({exc.msg})",
                                          "fix the expression (Python syntax)"))
    elif f.get("prefill") == "messages":
        problems.append(ConfigProblem(f"{path}.prefill", "prefill from messages needs a pattern to look for",
                                      "set pattern, or prefill from customer.name / customer.email"))
    return problems
