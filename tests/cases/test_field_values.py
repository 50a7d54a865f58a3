"""Case field answers: digits that are not ASCII are an answer to refuse, not a crash."""

import pytest

from bridge.config.cases import CaseFieldConfig
from cases.fields import FieldError, parse_value


def test_a_choice_answered_with_a_superscript_digit_is_a_field_error() -> None:
    field = CaseFieldConfig(name="reason", label="Reason", type="choice", choices=["Damaged", "Lost"])
    assert parse_value(field, "2") == "Lost"
    with pytest.raises(FieldError, match="Reason must be one of"):
        parse_value(field, "²")
