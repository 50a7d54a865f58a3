"""Config validation: each kind of mistake gives a clear message with its key path."""

from pathlib import Path

import pytest

from bridge.config import ConfigError, load_config, parse_config
from testkit.configs import EXAMPLE, base_raw, merged


def problems(raw: dict, environ: dict | None = None) -> list[str]:
    with pytest.raises(ConfigError) as err:
        parse_config(raw, environ=environ or {})
    return [str(p) for p in err.value.problems]


def test_example_config_is_valid() -> None:
    cfg = load_config(EXAMPLE)
    assert [q.name for q in cfg.queues] == ["general", "billing", "tech"]
    assert cfg.store_url.startswith("sqlite+aiosqlite:///")
    assert cfg.store_url.endswith("data/csr-bridge.sqlite3")


def test_example_config_files_chats_under_outcomes() -> None:
    cfg = load_config(EXAMPLE)
    assert cfg.chats.outcomes == ["resolved", "follow-up", "spam"] and not cfg.chats.require_outcome


def test_bad_outcomes_and_tags_are_refused_with_their_key_paths() -> None:
    raw = merged(base_raw(), {"chats": {"outcomes": ["resolved", "Follow-up", "none", "two words", "x" * 40,
                                                     "\u00e9t\u00e9", ""],
                                        "tags": ["vip", "vip", "refund"], "require_outcome": "maybe"}})
    out = problems(raw)
    assert any(p.startswith("chats.outcomes[1]:") and "`follow-up`" in p for p in out)
    assert any(p.startswith("chats.outcomes[2]:") and "without an outcome" in p for p in out)
    assert any(p.startswith("chats.outcomes[3]:") and "letters a-z" in p for p in out)
    assert any(p.startswith("chats.outcomes[4]:") and "at most 32" in p for p in out)
    assert any(p.startswith("chats.outcomes[5]:") and "other characters" in p for p in out)
    assert any(p.startswith("chats.outcomes[6]:") and "empty" in p for p in out)
    assert any(p.startswith("chats.tags:") and "listed twice: vip" in p for p in out)
    assert any(p.startswith("chats.require_outcome:") for p in out)
    assert len(out) == 8


def test_a_required_outcome_needs_outcomes() -> None:
    (out,) = problems(merged(base_raw(), {"chats": {"require_outcome": True}}))
    assert out.startswith("chats.require_outcome: an outcome is required but none is configured")


def test_unknown_key_names_its_path() -> None:
    out = problems(merged(base_raw(), {"server": {"prot": 80}}))
    assert any(p.startswith("server.prot:") and "spelling" in p for p in out)


def test_wrong_type_and_out_of_range_are_reported_together() -> None:
    raw = merged(base_raw(), {"server": {"port": "eighty"}, "routing": {"default_capacity": 0}})
    out = problems(raw)
    assert any(p.startswith("server.port:") for p in out)
    assert any(p.startswith("routing.default_capacity:") for p in out)


def test_bad_strategy_lists_the_choices() -> None:
    raw = base_raw()
    raw["queues"][0]["strategy"] = "fastest"
    (out,) = problems(raw)
    assert out.startswith("queues[0].strategy:")
    assert "least-busy" in out and "broadcast" in out


def test_unknown_queue_in_topic_agent_and_overflow() -> None:
    raw = base_raw()
    raw["widget"]["topics"][0]["queue"] = "sales"
    raw["agents"][0]["queues"] = ["general", "saless"]
    raw["queues"][1]["overflow"] = "nowhere"
    out = problems(raw)
    assert any(p.startswith("widget.topics[0].queue:") and "'sales'" in p for p in out)
    assert any(p.startswith("agents[0].queues[1]:") for p in out)
    assert any(p.startswith("queues[1].overflow:") for p in out)
    assert all("fix:" in p for p in out)


def test_overflow_cycle_is_found_once() -> None:
    raw = base_raw()
    raw["queues"][0]["overflow"] = "billing"  # billing -> general already
    out = problems(raw)
    cycles = [p for p in out if "loops" in p]
    assert len(cycles) == 1
    assert "general -> billing -> general" in cycles[0] or "billing -> general -> billing" in cycles[0]


def test_enabled_platform_needs_credentials_and_channels() -> None:
    raw = merged(base_raw(), {"slack": {"enabled": True}, "matrix": {"enabled": True}})
    out = problems(raw)
    paths = {p.split(":")[0] for p in out}
    assert {"slack.bot_token", "slack.signing_secret", "matrix.password", "slack.channels.general",
            "matrix.rooms.tech"} <= paths


def test_secrets_come_from_the_environment_and_never_appear_in_messages() -> None:
    raw = merged(base_raw(), {"slack": {"enabled": True, "mode": "socket", "signing_secret": "s3cr3t-value"}})
    out = problems(raw, environ={"CSR_SLACK_BOT_TOKEN": "xoxb-from-env"})
    assert not any("slack.bot_token" in p for p in out)
    assert any(p.startswith("slack.app_token:") for p in out)
    assert not any("s3cr3t-value" in p or "xoxb-from-env" in p for p in out)


def test_bad_secret_type_does_not_echo_the_value() -> None:
    raw = merged(base_raw(), {"matrix": {"password": 123456789}})
    out = problems(raw)
    assert any(p.startswith("matrix.password:") for p in out)
    assert not any("123456789" in p for p in out)


def test_duplicate_names() -> None:
    raw = base_raw()
    raw["queues"].append(dict(raw["queues"][0]))
    raw["agents"].append(dict(raw["agents"][0]))
    out = problems(raw)
    assert any("queue 'general' is defined twice" in p for p in out)
    assert any("agent 'alice' is defined twice" in p for p in out)


def test_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[server\nport = 1\n")
    with pytest.raises(ConfigError) as err:
        load_config(bad)
    assert "not valid TOML" in str(err.value) and str(bad) in str(err.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml")


def test_relative_paths_are_taken_from_the_config_folder(tmp_path: Path) -> None:
    cfg = parse_config(base_raw(), base_dir=str(tmp_path), environ={})
    assert cfg.data_path == tmp_path / "data"


def test_queue_lookups_name_an_unknown_queue_clearly() -> None:
    cfg = load_config(EXAMPLE)
    with pytest.raises(LookupError, match="no queue named 'sales'.*general, billing, tech"):
        cfg.queue("sales")
    assert cfg.queue_display_name("billing") == cfg.queue("billing").display_name
    assert cfg.queue_display_name("retired") == "retired"
    assert cfg.queue_display_names({"tech", "general", "retired"}) == [cfg.queue("general").display_name,
                                                                       cfg.queue("tech").display_name]
    assert cfg.has_queue("tech") and not cfg.has_queue("sales")


@pytest.mark.parametrize(("server", "expected"), [
    ({"processes": 0}, "server.processes: Input should be greater than or equal to 1"),
    ({"processes": 65}, "server.processes: Input should be less than or equal to 64"),
    ({"processes": "two"}, "server.processes: Input should be a valid integer"),
    ({"port": 9002, "metrics_port": 9000, "processes": 4}, "process 3 would serve /metrics on port 9002"),
    ({"metrics_port": 65534, "processes": 4}, "metrics_port + processes - 1 must be a port"),
])
def test_serve_processes_and_their_metrics_ports_are_checked(server: dict, expected: str) -> None:
    assert any(expected in p for p in problems(merged(base_raw(), {"server": server}))), \
        problems(merged(base_raw(), {"server": server}))


def test_each_serve_process_may_have_its_own_metrics_port() -> None:
    cfg = parse_config(merged(base_raw(), {"server": {"port": 8080, "metrics_port": 9100, "processes": 4}}),
                       environ={})
    assert cfg.server.processes == 4 and cfg.server.metrics_port == 9100
