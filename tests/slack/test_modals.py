"""The header's buttons, their modals and the message shortcut: each ends in one core command."""

import json

import pytest

from bridge.domain.chat import ChatState, Customer
from bridge.domain.events import EventKind
from testkit.fake_blocks import buttons
from testkit.fake_slack import FakeSlack
from tests.routing.helpers import signed_in
from tests.slack.bridge import InProcessBridge
from tests.slack.helpers import accepted_chat


@pytest.fixture
def slack_settings(fake_slack: FakeSlack) -> dict:
    """A faster Slack and pace: these tests are about what the buttons do (pacing has its own tests)."""
    fake_slack.post_rate = 20.0
    return {"messages_per_second": 20.0}


async def press_header(bridge: InProcessBridge, channel: str, root: str, action: str, user: str = "UALICE") -> None:
    header = bridge.fake.message(channel, root)
    button = buttons(header)[f"chat_action:{action}"]
    response = await bridge.sender.block_action(user, button["action_id"], button["value"], channel=channel,
                                                message=header)
    assert response.status_code == 200
    await bridge.settle()


def last_view(bridge: InProcessBridge) -> dict:
    """The modal opened last (App Home views are stored beside them)."""
    return [v for v in bridge.fake.views.values() if v["type"] == "modal"][-1]


async def test_phrase_button_opens_a_picker_and_sends_the_phrase(bridge: InProcessBridge) -> None:
    chat, channel, root = await accepted_chat(bridge)
    await press_header(bridge, channel, root, "phrase")
    view = last_view(bridge)
    assert view["callback_id"] == "chat_action_modal"
    assert json.loads(view["private_metadata"])["chat_id"] == chat.id
    assert "greet" in json.dumps(view["blocks"])
    await bridge.sender.view_submission("UALICE", view, {"phrase": {"selected": "greet"}})
    await bridge.fake.wait_for(
        lambda: any("Hi Ann, I'm Alice." in m["text"] for m in bridge.fake.thread(channel, root)))
    sent = [e for e in await bridge.app.stream.read_all(chat.id)
            if e.kind is EventKind.MESSAGE and e.author.id == "alice"]
    assert [e.text for e in sent] == ["Hi Ann, I'm Alice."]
    await bridge.settle()
    reply = bridge.fake.ephemerals[-1]
    assert (reply["user"], reply["channel"], reply["thread_ts"]) == ("UALICE", channel, root)
    assert "Sent" in reply["text"]


async def test_push_modal_checks_the_link_then_shows_the_customer_a_card(bridge: InProcessBridge) -> None:
    chat, channel, root = await accepted_chat(bridge)
    await press_header(bridge, channel, root, "push")
    view = last_view(bridge)
    refused = await bridge.sender.view_submission("UALICE", view, {"url": "javascript:alert(1)", "title": ""})
    assert refused.json() == {"response_action": "errors", "errors": {"url": "Use a link that starts with https://"}}
    await bridge.sender.view_submission("UALICE", view, {"url": "https://example.com/returns", "title": "Returns"})
    await bridge.fake.wait_for(lambda: any("Returns" in json.dumps(m.get("blocks"))
                                           for m in bridge.fake.thread(channel, root)))
    [card] = [e for e in await bridge.app.stream.read_all(chat.id) if e.kind is EventKind.CARD]
    assert card.data["url"] == "https://example.com/returns"


async def test_end_button_confirms_in_a_modal_and_ends_the_chat(bridge: InProcessBridge) -> None:
    chat, channel, root = await accepted_chat(bridge)
    await press_header(bridge, channel, root, "end")
    view = last_view(bridge)
    assert view["submit"]["text"] == "End chat"
    await bridge.sender.view_submission("UALICE", view, {})
    await bridge.fake.wait_for(lambda: "chat_action:end" not in buttons(bridge.fake.message(channel, root)))
    closed = await bridge.app.chats.get(chat.id)
    assert closed is not None and closed.state is ChatState.CLOSED


async def test_transfer_modal_lists_csrs_and_queues_and_hands_the_chat_back_to_a_queue(
        bridge: InProcessBridge) -> None:
    chat, channel, root = await accepted_chat(bridge)
    await signed_in(bridge.app, "bob")  # someone who could take tech
    await press_header(bridge, channel, root, "transfer")
    view = last_view(bridge)
    options = json.dumps(view["blocks"])
    assert '"@bob"' in options and '"tech"' in options and '"@alice"' not in options
    await bridge.sender.view_submission("UALICE", view, {"target": {"selected": "tech"}, "note": "printer's broken"})
    await bridge.settle()
    moved = await bridge.app.chats.get(chat.id)
    assert moved is not None and moved.queue == "tech"
    assert "back into routing" in bridge.fake.ephemerals[-1]["text"]


async def test_suggest_runs_at_once_and_answers_privately_in_the_thread(bridge: InProcessBridge) -> None:
    chat, channel, root = await accepted_chat(bridge, first="How do I reset my password?")
    await press_header(bridge, channel, root, "suggest")
    assert bridge.fake.calls_to("views.open") == []
    reply = bridge.fake.ephemerals[-1]
    assert (reply["user"], reply["thread_ts"]) == ("UALICE", root)


async def test_someone_off_the_roster_gets_no_modal(bridge: InProcessBridge) -> None:
    chat, channel, root = await accepted_chat(bridge)
    await press_header(bridge, channel, root, "end", user="UMALLORY")
    assert bridge.fake.calls_to("views.open") == []
    assert "roster" in bridge.fake.ephemerals[-1]["text"]
    still = await bridge.app.chats.get(chat.id)
    assert still is not None and still.state is ChatState.ACTIVE


async def test_message_shortcut_offers_the_same_actions_and_pushes_their_modal(bridge: InProcessBridge) -> None:
    chat, channel, root = await accepted_chat(bridge)
    reply_ts = await bridge.sender.thread_reply("UALICE", channel, root, "one moment")
    await bridge.sender.message_shortcut("UALICE", channel, {"ts": reply_ts, "thread_ts": root, "text": "one moment"})
    await bridge.settle()
    menu = last_view(bridge)
    assert menu["callback_id"] == "chat_action_menu"
    article = buttons(menu)["chat_action:article"]
    await bridge.sender.block_action("UALICE", article["action_id"], article["value"], view=menu)
    await bridge.settle()
    assert len(bridge.fake.calls_to("views.push")) == 1
    pushed = last_view(bridge)
    assert json.loads(pushed["private_metadata"]) == {"action": "article", "chat_id": chat.id, "channel": channel,
                                                      "thread": root}
    await bridge.sender.view_submission("UALICE", pushed, {"query": "don't know the password"})
    await bridge.settle()
    assert bridge.fake.ephemerals[-1]["thread_ts"] == root


async def test_a_reaction_on_the_offer_card_answers_it(bridge: InProcessBridge) -> None:
    fake = bridge.fake
    await bridge.sender.command("UALICE", "available")
    await bridge.settle()
    chat = await bridge.app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "hi")
    await bridge.app.service.escalate(chat.id)
    card = await fake.wait_for(
        lambda: next((m for m in fake.messages["DUALICE"] if "offer_accept" in buttons(m)), None))
    await bridge.sender.event({"type": "reaction_added", "user": "UALICE", "reaction": "white_check_mark",
                               "item": {"type": "message", "channel": "DUALICE", "ts": card["ts"]},
                               "event_ts": fake.new_ts()})
    await fake.wait_for(lambda: not buttons(fake.message("DUALICE", card["ts"])))
    accepted = await bridge.app.chats.get(chat.id)
    assert accepted is not None and accepted.state is ChatState.ACTIVE and accepted.agent_id == "alice"


async def test_decline_on_the_card_passes_the_offer_on(bridge: InProcessBridge) -> None:
    fake = bridge.fake
    await bridge.sender.command("UALICE", "available")
    await bridge.settle()
    chat = await bridge.app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "hi")
    await bridge.app.service.escalate(chat.id)
    card = await fake.wait_for(
        lambda: next((m for m in fake.messages["DUALICE"] if "offer_accept" in buttons(m)), None))
    decline = buttons(card)["offer_decline"]
    await bridge.sender.block_action("UALICE", "offer_decline", decline["value"], channel="DUALICE", message=card)
    await fake.wait_for(lambda: "You declined" in json.dumps(fake.message("DUALICE", card["ts"])["blocks"]))
    assert not buttons(fake.message("DUALICE", card["ts"]))


async def test_app_home_lists_the_open_chat_with_a_link_to_its_thread(bridge: InProcessBridge) -> None:
    chat, channel, root = await accepted_chat(bridge)
    home = await bridge.fake.wait_for(lambda: chat.id in json.dumps(bridge.fake.homes.get("UALICE", {}))
                                      and bridge.fake.homes["UALICE"])
    link = f"https://fake-team.slack.com/archives/{channel}/p{root.replace('.', '')}"
    assert link in json.dumps(home)


async def test_a_queue_transfer_opens_a_new_thread_with_the_history_and_retires_the_old_header(
        bridge: InProcessBridge) -> None:
    fake = bridge.fake
    chat, channel, root = await accepted_chat(bridge, first="my printer is on fire")
    await bridge.sender.command("UBOB", "available")
    await bridge.sender.command("UALICE", "transfer tech needs a technician")
    card = await fake.wait_for(lambda: next((m for m in fake.messages["DUBOB"] if "offer_accept" in buttons(m)), None))
    await bridge.sender.block_action("UBOB", "offer_accept", buttons(card)["offer_accept"]["value"], channel="DUBOB",
                                     message=card)
    new_root = await fake.wait_for(lambda: next((m["ts"] for m in fake.messages["CTECH"] if m["thread_ts"] is None),
                                                None))
    await fake.wait_for(lambda: any(m["text"] == "my printer is on fire" for m in fake.thread("CTECH", new_root)))
    assert "chat_action:end" in buttons(fake.message("CTECH", new_root))
    old = await fake.wait_for(lambda: "Moved to" in json.dumps(fake.message(channel, root)["blocks"])
                              and fake.message(channel, root))
    assert not buttons(old) and "Tech support" in json.dumps(old["blocks"])


async def test_cobrowse_button_runs_the_command_at_once(bridge: InProcessBridge) -> None:
    _, channel, root = await accepted_chat(bridge)
    await press_header(bridge, channel, root, "cobrowse")
    assert not [v for v in bridge.fake.views.values() if v["type"] == "modal"], "no form: asking needs no input"
    reply = bridge.fake.ephemerals[-1]
    assert (reply["user"], reply["thread_ts"]) == ("UALICE", root)
    assert "Co-browse is turned off here (cobrowse.enabled in the config)." in reply["text"]
