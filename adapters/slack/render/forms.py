"""The core's typed Form (a service case) as a Block Kit modal, and the modal's answers as its submit command.

Each field is an input block whose block_id is the field's name, so the submission maps back to
names and a validation error from the core can be shown under the field it names.
"""

import re
import shlex
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    DatePickerElement,
    EmailInputElement,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from adapters.slack.mrkdwn import escape, truncate
from adapters.slack.render.blocks import Message, actions, button, sections
from bridge.commands.replies import Form, FormField

FORM_CALLBACK = "csr_case_form"
FORM_OPEN = "csr_form_open"
"""action_id of the "Fill in" button that opens a stored form with its own trigger_id."""
TITLE_CHARS = 24
LABEL_CHARS = 2000
SELECT_OPTIONS = 100
_PROBLEM = r"(?<!\w){label} (?:is|must|has|doesn't)\b"


def form_modal(form: Form, form_id: str) -> dict[str, Any]:
    return View(type="modal", callback_id=FORM_CALLBACK, title=truncate(form.title, TITLE_CHARS), submit="Submit",
                close="Cancel", private_metadata=form_id, blocks=[_input(f) for f in form.fields]).to_dict()


def form_invitation(form: Form, form_id: str) -> Message:
    """Posted when no fresh trigger_id is at hand: a button that opens the modal with the click's own."""
    labels = ", ".join(f.label for f in form.fields)
    text = f"*{escape(form.title)}*: {escape(labels)}"
    return Message(text=f"{form.title}: fill in the form",
                   blocks=[*sections(text), *actions([button(f"Fill in {form.title}", FORM_OPEN, form_id, "primary")])])


def submitted(form: Form, state: dict[str, Any]) -> dict[str, str]:
    """view.state.values -> field name -> the text the core parses (typed, selected or picked date)."""
    values: dict[str, str] = {}
    for name, elements in (state.get("values") or {}).items():
        for element in elements.values():
            chosen = (element.get("selected_option") or {}).get("value")
            values[name] = str(element.get("value") or chosen or element.get("selected_date") or "")
    return {f.name: values.get(f.name, "") for f in form.fields}


def submit_command(form: Form, values: dict[str, str]) -> str:
    """One quoted `name=value` per field, so any text the CSR typed stays one argument."""
    return " ".join([form.submit_command, *(shlex.quote(f"{f.name}={values.get(f.name, '')}") for f in form.fields)])


def field_errors(form: Form, message: str) -> dict[str, str]:
    """The core's "Please fix: Amount must be a number. ..." cut into one message per field it names."""
    hits: list[tuple[int, int, str]] = []
    for f in sorted(form.fields, key=lambda f: -len(f.label)):
        for match in re.finditer(_PROBLEM.format(label=re.escape(f.label)), message):
            if not any(start <= match.start() < end for start, end, _ in hits):
                hits.append((match.start(), match.start() + len(f.label), f.name))
    hits.sort()
    errors: dict[str, str] = {}
    for n, (start, _end, name) in enumerate(hits):
        stop = hits[n + 1][0] if n + 1 < len(hits) else len(message)
        errors.setdefault(name, truncate(message[start:stop].strip(), LABEL_CHARS))
    return errors


def _input(f: FormField) -> dict[str, Any]:
    hint = PlainTextObject(text=truncate(f.hint, LABEL_CHARS)) if f.hint else None
    return InputBlock(block_id=f.name, label=PlainTextObject(text=truncate(f.label, LABEL_CHARS)),
                      element=_element(f), optional=not f.required, hint=hint).to_dict()


def _element(f: FormField) -> Any:
    value = f.value or None
    if f.kind in ("integer", "number", "money"):
        return NumberInputElement(action_id="value", is_decimal_allowed=f.kind != "integer", initial_value=value)
    if f.kind == "email":
        return EmailInputElement(action_id="value", initial_value=value)
    if f.kind == "date":
        return DatePickerElement(action_id="value", initial_date=value if _is_date(f.value) else None)
    if f.kind == "choice" and f.choices:
        options = [Option(value=truncate(c, 150), text=truncate(c, 75)) for c in f.choices[:SELECT_OPTIONS]]
        initial = next((o for o in options if o.value == f.value), None)
        return StaticSelectElement(action_id="value", options=options, initial_option=initial)
    return PlainTextInputElement(action_id="value", multiline=f.kind == "longtext", initial_value=value)


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
