"""The command parser: prefixes, quoting, and clear errors."""

import pytest

from bridge.commands.parser import MAX_COMMAND_CHARS, ParseError, parse


@pytest.mark.parametrize("text", ["csr transfer @bob 'needs billing'", "/csr transfer @bob 'needs billing'",
                                  "!csr transfer @bob 'needs billing'", "transfer @bob 'needs billing'"])
def test_prefixes_and_quotes(text: str) -> None:
    cmd = parse(text)
    assert cmd.name == "transfer"
    assert cmd.args == ("@bob", "needs billing")
    assert cmd.rest == "@bob 'needs billing'"


def test_empty_means_help() -> None:
    assert parse("csr").name == "help"
    assert parse("   ").name == "help"


def test_name_is_case_insensitive_but_args_are_kept() -> None:
    assert parse("CSR Note Call Back LATER").name == "note"
    assert parse("CSR Note Call Back LATER").rest == "Call Back LATER"


def test_an_apostrophe_is_not_an_unbalanced_quote() -> None:
    cmd = parse("csr transfer @bob customer can't log in")
    assert cmd.args == ("@bob", "customer", "can't", "log", "in")
    assert cmd.rest == "@bob customer can't log in"
    assert parse('csr note "unfinished').args == ('"unfinished',)


def test_overlong_command_is_refused() -> None:
    with pytest.raises(ParseError, match="at most"):
        parse("csr note " + "x" * MAX_COMMAND_CHARS)
