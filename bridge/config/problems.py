"""A config problem: where, what, and how to fix it. Never carries a value, so secrets can't leak."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ConfigProblem:
    path: str
    what: str
    fix: str

    def __str__(self) -> str:
        return f"{self.path}: {self.what} (fix: {self.fix})"


class ConfigError(Exception):
    """Raised with every problem found, so an admin fixes them in one pass."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
