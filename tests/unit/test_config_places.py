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
