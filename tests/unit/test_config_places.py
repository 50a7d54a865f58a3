"""A queue's Slack channels and Matrix rooms: one id as before, or a list the bridge spreads chats over."""

import pytest

from bridge.config import ConfigError, parse_config
from testkit.configs import base_raw, merged

SLACK_ON = {"enabled": True, "bot_token": "xoxb-test", "signing_secret": "secret"}
MATRIX_ON = {"enabled": True, "homeserver": "https://matrix.example.org", "user_id": "@bot:example.org",
             "password": "pw"}


def problems(raw: dict) -> list[str]:
    with pytest.raises(ConfigError) as err:
        parse_config(raw, environ={})
    return [str(p) for p in err.value.problems]


def test_a_plain_id_and_a_list_both_give_the_queue_its_channels_in_order() -> None:
    raw = merged(base_raw(), {
        "slack": {**SLACK_ON, "channels": {"general": ["C1", "C2", "C3"], "billing": "CB", "tech": ["CT"]}},
        "matrix": {**MATRIX_ON, "rooms": {"general": "!g:example.org",
                                          "billing": ["!b1:example.org", "#b2:example.org"], "tech": "!t:x"}}})
    cfg = parse_config(raw, environ={})
    assert cfg.slack.channels_of("general") == ("C1", "C2", "C3")
    assert cfg.slack.channels_of("billing") == ("CB",)
    assert cfg.slack.channels_of("tech") == ("CT",)
    assert cfg.slack.channels_of("nowhere") == ()
    assert cfg.matrix.rooms_of("billing") == ("!b1:example.org", "#b2:example.org")
    assert cfg.matrix.rooms_of("general") == ("!g:example.org",)


def test_an_empty_list_duplicates_and_empty_ids_are_refused_with_the_queues_key() -> None:
    raw = merged(base_raw(), {
        "slack": {**SLACK_ON, "channels": {"general": [], "billing": ["C1", "C2", "C1"], "tech": ["CT", ""]}},
        "matrix": {**MATRIX_ON, "rooms": {"general": "", "billing": ["!b:x", "!b:x"], "tech": 7}}})
    out = problems(raw)
    assert any(p.startswith("slack.channels.general:") and "at least one" in p for p in out), out
    assert any(p.startswith("slack.channels.billing:") and "listed twice: C1" in p for p in out), out
    assert any(p.startswith("slack.channels.tech[1]:") for p in out), out
    assert any(p.startswith("matrix.rooms.general:") for p in out), out
    assert any(p.startswith("matrix.rooms.billing:") and "listed twice: !b:x" in p for p in out), out
    assert any(p.startswith("matrix.rooms.tech:") for p in out), out
    assert not any("(one)" in p or "(list)" in p for p in out), out


def test_queues_may_share_a_channel_as_before() -> None:
    """Threads, not channels, say which chat a reply belongs to, so two quiet queues may share a channel."""
    raw = merged(base_raw(), {"slack": {**SLACK_ON, "channels": {"general": ["C1", "C2"], "billing": "C2",
                                                                 "tech": ["C2", "C3"]}}})
    cfg = parse_config(raw, environ={})
    assert cfg.slack.channels_of("billing") == ("C2",) and cfg.slack.channels_of("tech") == ("C2", "C3")


def test_the_embedded_homeserver_refuses_configured_rooms_lists_included() -> None:
    raw = merged(base_raw(), {"matrix": {"enabled": True, "homeserver": "embedded",
                                         "rooms": {"general": ["!a:localhost", "!b:localhost"]}}})
    out = problems(raw)
    assert any(p.startswith("matrix.rooms:") and "sets this itself" in p for p in out), out


@pytest.mark.parametrize("bad", ["C1\x00", "C\x1b[31m1", "C1\n", "C\x7f1", "C 1", " C1", "C1\t", "C1\u00a0",
                                 "C1\u2028"])
def test_an_id_with_a_control_character_or_a_space_is_refused_with_the_queues_key(bad: str) -> None:
    raw = merged(base_raw(), {
        "slack": {**SLACK_ON, "channels": {"general": bad, "billing": ["C2", bad]}},
        "matrix": {**MATRIX_ON, "rooms": {"general": "!g:example.org", "billing": [f"!{bad}:x", "!b:x"]}}})
    out = problems(raw)
    for key in ("slack.channels.general:", "slack.channels.billing[1]:", "matrix.rooms.billing[0]:"):
        assert any(p.startswith(key) and "ids hold neither" in p for p in out), (key, out)
    assert not any(p.startswith(("slack.channels.billing[0]", "matrix.rooms.general", "matrix.rooms.billing[1]"))
                   for p in out), out
    assert not any(c in p for p in out for c in "\x00\x1b\n\x7f\t\u2028"), "the message does not echo the character"


def test_ids_with_other_characters_than_ascii_still_pass() -> None:
    rooms = {"general": ["#support-général:example.org", "#👩‍💻:example.org"], "billing": "!b:x", "tech": "!t:x"}
    cfg = parse_config(merged(base_raw(), {"matrix": {**MATRIX_ON, "rooms": rooms}}), environ={})
    assert cfg.matrix.rooms_of("general") == ("#support-général:example.org", "#👩‍💻:example.org")
