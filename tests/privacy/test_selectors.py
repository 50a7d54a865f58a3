"""Who a request is about: refused clearly (exit code 2, nothing read or written) unless it names one person
well; an email matched ignoring ASCII case, the same way in SQLite and PostgreSQL, whatever the characters."""

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis

from bridge.cli import main
from bridge.domain.chat import Customer
from bridge.identity import MAX_USER_ID_CHARS
from testkit.configs import base_raw, merged, write_toml
from tests.privacy.helpers import boot, chat_with, closed_and_archived
from transcripts.privacy.person import PersonFinder
from transcripts.privacy.selector import MAX_EMAIL_CHARS, SelectorError, SelectorKind, selector_from

REFUSED = [
    (["--email", ""], "--email is empty"),
    (["--email", "   "], "--email is empty"),
    (["--user-id", ""], "--user-id is empty"),
    (["--user-id", " \t "], "control characters"),
    (["--email", "ann"], "is not an email address"),
    (["--email", "a@b@example.com"], "is not an email address"),
    (["--email", "ann @example.com"], "is not an email address"),
    (["--email", "ann\u2028@example.com"], "is not an email address"),
    (["--email", "ann\x00@example.com"], "control characters"),
    (["--email", "ann\ud800@example.com"], "broken Unicode"),
    (["--user-id", "u-\x001"], "control characters"),
    (["--email", "a" * MAX_EMAIL_CHARS + "@example.com"], f"longer than {MAX_EMAIL_CHARS}"),
    (["--user-id", "u" * (MAX_USER_ID_CHARS + 1)], f"longer than {MAX_USER_ID_CHARS}"),
]


@pytest.mark.parametrize(("selector", "why"), REFUSED)
@pytest.mark.parametrize("action", ["export", "erase"])
def test_a_bad_selector_is_refused_before_anything_is_touched(
        tmp_path: Path, config_path: Path, capsys: pytest.CaptureFixture[str], action: str, selector: list[str],
        why: str) -> None:
    extra = ["-o", str(tmp_path / "out.json")] if action == "export" else ["--yes"]
    assert main(["customers", action, "-c", str(config_path), *selector, *extra]) == 2
    assert why in capsys.readouterr().err
    assert not (tmp_path / "data").exists() and not (tmp_path / "out.json").exists(), "no store was even opened"


@pytest.mark.parametrize("argv", [
    ["customers", "export", "-o", "x.json"],
    ["customers", "export", "--email", "a@example.com", "--user-id", "u-1", "-o", "x.json"],
    ["customers", "erase", "--yes"],
    ["customers", "export", "--email", "a@example.com"],
    ["customers", "audit", "--limit", "0"],
    ["customers", "audit", "--limit", "many"],
])
def test_a_request_that_names_nobody_or_two_is_a_usage_error(
        config_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*argv, "-c", str(config_path)])
    assert exited.value.code == 2 and capsys.readouterr().err


def test_erase_asks_at_a_terminal_and_needs_yes_elsewhere(config_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["customers", "erase", "-c", str(config_path), "--email", "ann@example.com"]) == 2
    assert "pass --yes" in capsys.readouterr().err


def test_export_refuses_a_folder_that_is_not_there(tmp_path: Path, config_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "missing" / "ann.json"
    assert main(["customers", "export", "-c", str(config_path), "--email", "ann@example.com", "-o", str(out)]) == 2
    assert "no folder" in capsys.readouterr().err


@settings(max_examples=500, deadline=None)
@given(email=st.one_of(st.text(max_size=300), st.emails().map(str)), user_id=st.text(max_size=200))
def test_any_selector_is_refused_or_matches_what_the_bridge_stores(email: str, user_id: str) -> None:
    for given_email, given_id in ((email, None), (None, user_id)):
        try:
            selector = selector_from(given_email, given_id)
        except SelectorError as exc:
            assert str(exc)
            continue
        assert selector.value and "\x00" not in selector.value and len(selector.digest) == 64
        if selector.kind is SelectorKind.EMAIL:
            stored = email.strip()  # the widget takes no blanks in an email
            assert selector.matches(Customer(name="x", email=stored)), "the stored form of the same email matches"
            if stored.isascii():
                assert selector.matches(Customer(name="x", email=stored.swapcase()))
        else:
            assert selector.matches(Customer(name="x", user_id=user_id, verified=True))
            assert not selector.matches(Customer(name="x", user_id=user_id)), "a claimed user id matches nobody"


@pytest.mark.parametrize(("stored", "asked", "found"), [
    ("Zoë@Example.com", "zoe\u0308@EXAMPLE.com", True),
    ("Zoë@Example.com", "zoë@example.com", True),
    ("Zoë@Example.com", "ZOË@example.com", False),
    ("ZOË@Example.com", "zoë@example.com", False),
    ("ZOË@Example.com", "ZOË@EXAMPLE.COM", True),
])
async def test_email_case_is_folded_for_ascii_letters_alone_in_both_stores(
        tmp_path: Path, redis: Redis, redis_url: str, store_overrides: dict[str, Any], stored: str, asked: str,
        found: bool) -> None:
    app, _ = boot(tmp_path, redis, redis_url, **store_overrides)
    chat = await chat_with(app, Customer(name="Zoë", email=stored, id="s_zoe"), "Hallo")
    await closed_and_archived(app, chat)
    await redis.delete(app.keys.chat(chat.id))  # the archive alone answers
    finder = PersonFinder(redis, app.keys, app.chats, app.stream, app.transcripts.store)
    person = await finder.find(selector_from(asked, None))
    assert [c.chat.id for c in person.chats] == ([chat.id] if found else [])
    await app.transcripts.store.close()


@pytest.mark.parametrize("action", [["export", "-o", "out.json"], ["erase", "--yes"], ["audit"]])
def test_an_unreachable_store_is_exit_code_3(tmp_path: Path, redis_url: str, capsys: pytest.CaptureFixture[str],
                                             action: list[str]) -> None:
    raw = merged(base_raw(), {"redis": {"url": redis_url},
                              "store": {"url": "postgresql+asyncpg://postgres@127.0.0.1:1/nothing_here"}})
    config = write_toml(tmp_path / "config.toml", raw)
    argv = ["customers", action[0], "-c", str(config), "--email", "ann@example.com", *action[1:]]
    assert main([arg.replace("out.json", str(tmp_path / "out.json")) for arg in argv]) == 3
    assert "unavailable" in capsys.readouterr().err and not (tmp_path / "out.json").exists()


@pytest.mark.parametrize("command", [["customers", "export", "-o", "OUT", "--email", "ann@example.com"],
                                     ["customers", "erase", "--yes", "--email", "ann@example.com"],
                                     ["transcripts", "parked"]])
def test_without_serve_the_embedded_redis_is_named_not_a_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    """With no `[redis] url` the Redis is `serve`'s own: an admin command run while serve is down says so."""
    config = write_toml(tmp_path / "config.toml", merged(base_raw(), {"data_dir": str(tmp_path / "data")}))
    argv = [arg.replace("OUT", str(tmp_path / "out.json")) for arg in command]
    assert main([*argv[:2], "-c", str(config), *argv[2:]]) == 3
    err = capsys.readouterr().err
    assert "cannot reach Redis" in err and "start serve with this config" in err and "Traceback" not in err
    assert not (tmp_path / "out.json").exists()
    if command[0] == "customers":
        assert main(["customers", "audit", "-c", str(config)]) == 0
        assert "a***@example.com" not in capsys.readouterr().out, "a request that never ran is not audited"
