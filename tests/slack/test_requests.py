"""Requests to /slack/events: signatures, slash commands, retried events, App Home."""

import json
import time

import httpx

from tests.slack.bridge import InProcessBridge


async def test_a_forged_signature_gets_401_and_does_nothing(bridge: InProcessBridge) -> None:
    sender = bridge.sender
    before = len(bridge.fake.calls)
    forged = await sender.command("UALICE", "help", signature="v0=" + "0" * 64)
    await bridge.settle()
    assert forged.status_code == 401
    assert len(bridge.fake.calls) == before
    assert bridge.fake.hooks == []


async def test_a_stale_signature_gets_401(bridge: InProcessBridge) -> None:
    stale = await bridge.sender.command("UALICE", "help", timestamp=int(time.time()) - 600)
    await bridge.settle()
    assert stale.status_code == 401
    assert bridge.fake.hooks == []


async def test_a_forged_event_changes_nothing(bridge: InProcessBridge) -> None:
    body = json.dumps({"type": "event_callback", "event_id": "EvForged", "event": {
        "type": "app_home_opened", "user": "UALICE", "tab": "home"}})
    response = await bridge.sender.send(body, "application/json", signature="v0=" + "1" * 64)
    await bridge.settle()
    assert response.status_code == 401
    assert bridge.fake.homes == {}
    assert await bridge.app.redis.get(bridge.app.keys.seen("slack", "EvForged")) is None


async def test_slash_command_acks_at_once_and_answers_through_response_url(bridge: InProcessBridge) -> None:
    response = await bridge.sender.command("UALICE", "help")
    assert response.status_code == 200
    await bridge.settle()
    [hook] = bridge.fake.hooks
    assert hook["response_type"] == "ephemeral"
    assert "csr help" in json.dumps(hook["blocks"])


async def test_slash_command_from_someone_off_the_roster_is_refused(bridge: InProcessBridge) -> None:
    await bridge.sender.command("UMALLORY", "help")
    await bridge.settle()
    [hook] = bridge.fake.hooks
    assert "not on this team's roster" in hook["text"]


async def test_a_retried_event_is_handled_once(bridge: InProcessBridge) -> None:
    event = {"type": "app_home_opened", "user": "UALICE", "tab": "home", "channel": "DUALICE"}
    first = await bridge.sender.event(event, event_id="EvOnce")
    again = await bridge.sender.event(event, event_id="EvOnce", retry_num=1)
    await bridge.settle()
    assert first.status_code == again.status_code == 200
    assert len(bridge.fake.calls_to("views.publish")) == 1


async def test_app_home_shows_presence_queues_and_its_buttons_change_presence(bridge: InProcessBridge) -> None:
    await bridge.sender.event({"type": "app_home_opened", "user": "UALICE", "tab": "home"})
    await bridge.settle()
    home = bridge.fake.homes["UALICE"]
    assert home["type"] == "home"
    assert "You are offline" in json.dumps(home)
    assert "General" in json.dumps(home) and "Billing" in json.dumps(home)
    button = next(e for b in home["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["value"] == "csr available")
    await bridge.sender.block_action("UALICE", button["action_id"], button["value"], view=home)
    await bridge.settle()
    home = bridge.fake.homes["UALICE"]
    assert "You are available" in json.dumps(home)
    assert "csr away" in json.dumps(home)
    assert bridge.fake.calls_to("chat.postMessage") == [], "a home button answers in the home tab, not by DM"


async def test_app_home_tells_someone_off_the_roster(bridge: InProcessBridge) -> None:
    await bridge.sender.event({"type": "app_home_opened", "user": "UMALLORY", "tab": "home"})
    await bridge.settle()
    assert "not on this team" in json.dumps(bridge.fake.homes["UMALLORY"])


async def test_readyz_reports_slack_connected(bridge: InProcessBridge) -> None:
    response = await bridge.readyz()
    assert response.status_code == 200, response.text
    assert response.json()["checks"]["slack"]["ok"] is True


async def test_slack_can_verify_the_request_url(bridge: InProcessBridge) -> None:
    body = json.dumps({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"})
    response = await bridge.sender.send(body, "application/json")
    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


async def test_customer_avatars_are_served_as_png_and_nothing_else(bridge: InProcessBridge) -> None:
    async with httpx.AsyncClient(base_url=bridge.url) as client:
        ok = await client.get("/slack/avatars/A3.png")
        names = ("A9", "a3", "AB", "A33", "..", "A%C2%B2")  # the last: a superscript two, a digit to isdigit()
        refused = [await client.get(f"/slack/avatars/{name}.png") for name in names]
    assert ok.status_code == 200 and ok.headers["content-type"] == "image/png"
    assert ok.content.startswith(b"\x89PNG")
    assert {r.status_code for r in refused} == {404}
