"""Session tokens and their signing key, without a server."""

from pathlib import Path

import pytest

from adapters.widget.errors import ApiError
from adapters.widget.tokens import SessionTokens
from bridge.signing import KEY_FILE, signing_key


def test_a_token_names_its_chat_and_nothing_else_verifies() -> None:
    tokens = SessionTokens("k" * 32, 3600)
    issued = tokens.issue("abc123")
    assert tokens.chat_id(issued.token) == "abc123"
    for bad in ("", "abc", issued.token + "x", SessionTokens("other", 3600).issue("abc123").token):
        with pytest.raises(ApiError) as refused:
            tokens.chat_id(bad)
        assert refused.value.status == 401


def test_the_key_is_generated_once_into_the_data_dir_unless_configured(tmp_path: Path) -> None:
    first = signing_key("", tmp_path / "data")
    again = signing_key("", tmp_path / "data")
    assert first == again and len(first) >= 48
    assert (tmp_path / "data" / KEY_FILE).stat().st_mode & 0o077 == 0, "only the owner may read it"
    assert list((tmp_path / "data").iterdir()) == [tmp_path / "data" / KEY_FILE]
    assert signing_key("from-config", tmp_path / "data") == "from-config"
