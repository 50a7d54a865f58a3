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


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str
    """text, longtext, integer, number, money, email, phone, date or choice."""
    required: bool = True
    value: str = ""
    """Pre-filled from the chat; the CSR may change it."""
    choices: tuple[str, ...] = ()
    hint: str = ""


@dataclass(frozen=True)
class Form:
    """A typed form (a service case). Platforms with forms (Slack: a modal) show `fields` and on submit
    run `submit_command` with one `name=value` argument per field, each quoted; others show `prompt`,
    the first question, and send the CSR's next thread messages to `answer_command` until done."""

    title: str
    fields: tuple[FormField, ...]
    submit_command: str
    answer_command: str
    cancel_command: str
    prompt: str
    public: bool = False


Reply = Text | ItemList | Table | Choices | FileReply | Form
