"""Phrase variables such as `{customer.name}`: a fixed set of names, filled by plain lookup.

No attribute access, indexing or format specs are evaluated, so a phrase can't reach anything
but the values listed here, and an unknown name is a config error before the bridge starts. It lives in the
core because the config checks every phrase against it; knowledge fills phrases in with it.
"""

from string import Formatter

VARIABLES = {
    "customer.name": "the customer's name",
    "customer.first_name": "the first word of the customer's name",
    "customer.email": "the customer's email, if given",
    "agent.name": "the CSR's display name",
    "queue": "the chat's queue (display name)",
    "topic": "the topic the customer picked",
    "chat.id": "the chat's id",
}


class TemplateError(ValueError):
    pass


def variables_in(text: str) -> list[str]:
    """Names used in the text; raises TemplateError on a format spec, conversion or broken brace."""
    names = []
    try:
        parsed = list(Formatter().parse(text))
    except ValueError as exc:
        raise TemplateError(f"broken braces ({exc}); write {{{{ and }}}} for literal braces") from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if spec or conversion:
            raise TemplateError(f"'{{{name}...}}' has a format spec or conversion; write just {{{name}}}")
        names.append(name)
    return names


def unknown_variables(text: str) -> list[str]:
    return [n for n in variables_in(text) if n not in VARIABLES]


def render(text: str, values: dict[str, str]) -> str:
    """Fills known variables; an unknown one (impossible after config checks) renders empty."""
    out = []
    for literal, name, _spec, _conversion in Formatter().parse(text):
        out.append(literal)
        if name is not None:
            out.append(values.get(name, ""))
    return "".join(out)


def strip_variables(text: str) -> str:
    """The phrase's words without its placeholders, for the search index."""
    return render(text, {})
