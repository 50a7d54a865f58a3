"""Config checks of the CSR tools: phrase variables, case types, and the example's commented case type."""

import re
from pathlib import Path

import pytest

from bridge.cli import main as cli_main
from bridge.config import ConfigError, parse_config
from testkit.configs import EXAMPLE, base_raw, example_raw, merged, write_toml


def _problems(raw: dict) -> list[str]:
    with pytest.raises(ConfigError) as err:
        parse_config(raw, environ={})
    return [str(p) for p in err.value.problems]


def test_unknown_phrase_variables_and_bad_braces_are_reported_together() -> None:
    raw = merged(base_raw(), {"knowledge": {"phrases": [
        {"key": "a", "title": "A", "text": "Hi {customer.nmae}, {agent.name} here about {order}."},
        {"key": "b", "title": "B", "text": "Oops {customer.name"},
        {"key": "c", "title": "C", "text": "{customer.name!r} {queue:>9}"},
        {"key": "a", "title": "A again", "text": "fine"},
    ]}})
    problems = _problems(raw)
    assert any(p.startswith("knowledge.phrases[0].text: unknown variable {customer.nmae}") for p in problems)
    assert any(p.startswith("knowledge.phrases[0].text: unknown variable {order}") for p in problems)
    assert any(p.startswith("knowledge.phrases[1].text: broken braces") for p in problems)
    assert any(p.startswith("knowledge.phrases[2].text") and "format spec" in p for p in problems)
    assert any("phrase 'a' is defined twice" in p for p in problems)
    assert not any("agent.name" in p.split(":")[1] for p in problems if p.startswith("knowledge.phrases[0]"))


def test_check_config_command_reports_an_unknown_variable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = merged(base_raw(), {"knowledge": {"phrases": [{"key": "x", "title": "X", "text": "Hi {customer.age}"}]}})
    path = write_toml(tmp_path / "bad.toml", raw)
    assert cli_main(["check-config", str(path)]) == 2
    assert "unknown variable {customer.age}" in capsys.readouterr().err


def test_case_type_problems() -> None:
    field = {"name": "order", "label": "Order"}
    raw = merged(base_raw(), {"cases": {"types": [
        {"id": "refund", "title": "Refund", "webhook_url": "https://crm.example.com/h", "queues": ["nope"],
         "fields": [field, field, {"name": "why", "label": "Why", "type": "choice"},
                    {"name": "ref", "label": "Ref", "pattern": "([a-z", "prefill": "messages"},
                    {"name": "msg", "label": "Msg", "prefill": "messages"}]},
        {"id": "refund", "title": "Again", "webhook_url": "https://crm.example.com/h", "fields": [field]},
    ]}})
    problems = "\n".join(_problems(raw))
    for expected in ("cases.webhook_secret: case types are defined but webhooks would go unsigned",
                     "cases.types: case type 'refund' is defined twice",
                     "cases.types[0].queues[0]: names queue 'nope'",
                     "cases.types[0].fields: field 'order' is defined twice",
                     "cases.types[0].fields[2].choices: a choice field needs choices",
                     "cases.types[0].fields[3].pattern: not a valid regular expression",
                     "cases.types[0].fields[4].prefill: prefill from messages needs a pattern"):
        assert expected in problems


def test_the_example_case_type_is_valid_once_uncommented() -> None:
    text = EXAMPLE.read_text()
    block = text[text.index("# [[cases.types]]"):]
    uncommented = re.sub(r"^# ?", "", block, flags=re.MULTILINE)
    import tomllib

    types = tomllib.loads(uncommented)["cases"]["types"]
    raw = merged(example_raw(), {"cases": {"webhook_secret": "from-the-environment", "types": types}})
    config = parse_config(raw, environ={})
    refund = config.cases.type("refund")
    assert refund is not None and [f.name for f in refund.fields] == ["order_number", "amount", "reason"]
    assert refund.fields[0].pattern == r"[A-Z]{2}-\d{5}"


def test_webhook_secret_may_come_from_the_environment() -> None:
    raw = merged(base_raw(), {"cases": {"types": [{"id": "t", "title": "T", "webhook_url": "https://crm.example.com/h",
                                                    "fields": [{"name": "a", "label": "A"}]}]}})
    config = parse_config(raw, environ={"CSR_CASES_WEBHOOK_SECRET": "env-secret"})
    assert config.cases.webhook_secret.get_secret_value() == "env-secret"
