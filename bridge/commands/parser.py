"""Turns `csr transfer @bob "needs billing"` into a name and arguments, with quotes honoured
when they pair up and taken literally when they don't (people write apostrophes)."""

import shlex
from dataclasses import dataclass

MAX_COMMAND_CHARS = 4000


class ParseError(ValueError):
    pass


@dataclass(frozen=True)
class ParsedCommand:
    name: str
    args: tuple[str, ...]
    rest: str
    """The raw text after the name, for commands that take free text (notes, broadcasts)."""


def parse(text: str, prefixes: tuple[str, ...] = ("csr", "/csr", "!csr")) -> ParsedCommand:
    text = text.strip()
    if len(text) > MAX_COMMAND_CHARS:
        raise ParseError(f"a command is at most {MAX_COMMAND_CHARS} characters")
    head, tail = _first_word(text)
    if head.lower() in prefixes:
        text = tail
    if not text:
        return ParsedCommand("help", (), "")
    name, rest = _first_word(text)
    try:
        args = tuple(shlex.split(rest))
    except ValueError:
        args = tuple(rest.split())  # free text such as "can't log in": an apostrophe is not a quote
    return ParsedCommand(name.lower(), args, rest)


def _first_word(text: str) -> tuple[str, str]:
    """Split at the first whitespace of any kind: `csr note` followed by a new line is still the note command."""
    parts = text.split(maxsplit=1)
    return (parts[0], parts[1].strip()) if len(parts) == 2 else (text, "")
