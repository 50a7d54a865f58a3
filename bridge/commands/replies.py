"""Neutral command replies; each adapter renders them (Block Kit, Matrix HTML) within its limits."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Action:
    """A button: pressing it runs `command` as the presser (e.g. 'phrase send greet k3f9x2ab')."""

    label: str
    command: str
    style: str = ""  # "", "primary", "danger"


@dataclass(frozen=True)
class Text:
    text: str
    public: bool = False
    """Private (ephemeral) to the caller unless public."""
    error: bool = False


@dataclass(frozen=True)
class Item:
    title: str
    detail: str = ""
    url: str = ""
    actions: tuple[Action, ...] = ()


@dataclass(frozen=True)
class ItemList:
    title: str
    items: tuple[Item, ...]
    empty: str = "Nothing to show."
    public: bool = False


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    public: bool = False


@dataclass(frozen=True)
class Choices:
    text: str
    actions: tuple[Action, ...]
    public: bool = False


@dataclass(frozen=True)
class FileReply:
    """A file for the caller (a transcript, a report chart)."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)
    comment: str = ""
    public: bool = False


Reply = Text | ItemList | Table | Choices | FileReply
