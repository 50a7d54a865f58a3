"""The app manifest asks for what the adapter uses: its command, shortcut, events, scopes and one URL."""

from pathlib import Path

import yaml

from adapters.slack.inbound.modals import SHORTCUT

MANIFEST = Path(__file__).resolve().parents[2] / "adapters" / "slack" / "manifest.yml"


def test_manifest_declares_everything_the_adapter_listens_to_and_calls() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    features, settings = manifest["features"], manifest["settings"]
    assert [c["command"] for c in features["slash_commands"]] == ["/csr"]
    assert [s["callback_id"] for s in features["shortcuts"]] == [SHORTCUT]
    assert features["app_home"]["home_tab_enabled"] is True
    assert set(settings["event_subscriptions"]["bot_events"]) == \
        {"app_home_opened", "message.channels", "message.groups", "reaction_added", "reaction_removed"}
    assert settings["interactivity"]["is_enabled"] is True
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"chat:write", "chat:write.customize", "commands", "im:write", "channels:history", "groups:history",
            "files:read", "files:write", "reactions:read", "reactions:write", "channels:read",
            "groups:read"} == scopes
    urls = {settings["event_subscriptions"]["request_url"], settings["interactivity"]["request_url"],
            *(c["url"] for c in features["slash_commands"])}
    assert urls == {"https://bridge.example.com/slack/events"}
