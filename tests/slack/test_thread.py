"""A chat's thread: header, customer posts (escaped, under the customer's name), files, order under pressure."""

import json

import pytest

from bridge.domain.events import EventKind, Origin
from tests.slack.bridge import CHANNELS, InProcessBridge
from tests.slack.helpers import active_chat, said, thread_of


async def test_thread_opens_with_a_header_and_the_history_under_it(bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app, first="My order is late")
    channel, root = await thread_of(bridge, chat)
    await bridge.settle()
    fake = bridge.fake
    header = fake.message(channel, root)
    assert channel == CHANNELS["general"]
    assert header["thread_ts"] is None
    blocks = json.dumps(header["blocks"])
    assert "Ann" in blocks and "Alice" in blocks and chat.id in blocks
    assert {f"chat_action:{a}" for a in ("phrase", "article", "suggest", "push", "transfer", "transcript", "end")} \
        <= {e["action_id"] for b in header["blocks"] if b["type"] == "actions" for e in b["elements"]}
    [first] = said(fake, channel, root)
    assert first["text"] == "My order is late"
    assert first["username"] == "Ann (customer)"
    assert first["icon_url"].startswith("http://127.0.0.1:8080/slack/avatars/A")


async def test_customer_text_cannot_ping_or_spoof_links(bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app,
                             first="<!channel> wake up <@U0BOSS> <https://evil.example|https://bank.example> & co")
    channel, root = await thread_of(bridge, chat)
    await bridge.settle()
    [post] = said(bridge.fake, channel, root)
    assert post["text"] == ("&lt;!channel&gt; wake up &lt;@U0BOSS&gt; "
                            "&lt;https://evil.example|https://bank.example&gt; &amp; co")
    assert "<" not in post["text"] and ">" not in post["text"]


async def test_twenty_customer_messages_in_a_second_arrive_in_order_without_a_429_storm(
        bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app, first="message 0")
    channel, root = await thread_of(bridge, chat)
    for n in range(1, 20):
        await bridge.app.service.customer_message(chat.id, f"message {n}")
    await bridge.fake.wait_for(lambda: "message 19" in "\n".join(m["text"] for m in said(bridge.fake, channel, root)),
                               timeout=30)
    await bridge.settle()
    lines = [line for m in said(bridge.fake, channel, root) for line in m["text"].split("\n")]
    assert lines == [f"message {n}" for n in range(20)]
    assert bridge.fake.calls_to("chat.postMessage", ok=False) == []
    assert {m["thread_ts"] for m in bridge.fake.thread(channel, root)} == {root}
    stored = [e.text for e in await bridge.app.stream.read_all(chat.id) if e.kind is EventKind.MESSAGE]
    assert stored == [f"message {n}" for n in range(20)], "the transcript keeps coalesced messages apart"


async def test_a_customer_file_is_uploaded_into_the_thread(bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app)
    channel, root = await thread_of(bridge, chat)
    attachment = await bridge.app.attachments.save(chat.id, "receipt.png", "image/png", b"\x89PNG fake bytes")
    await bridge.app.service.customer_message(chat.id, "here is the receipt", attachments=[attachment])
    await bridge.fake.wait_for(lambda: bridge.fake.calls_to("files.completeUploadExternal"))
    await bridge.settle()
    [upload] = [u for u in bridge.fake.uploads.values() if u.get("channel")]
    assert upload["data"] == b"\x89PNG fake bytes"
    assert upload["name"] == "receipt.png"
    assert upload["thread_ts"] == root
    texts = [m["text"] for m in bridge.fake.thread(channel, root)]
    assert "here is the receipt" in texts


async def test_messages_sent_from_the_thread_are_not_echoed_back(bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app)
    channel, root = await thread_of(bridge, chat)
    origin = Origin(platform="slack", conversation=channel, thread=root, event_id="1700000999.000100")
    await bridge.app.service.agent_message(chat.id, bridge.app.agent("alice"), "typed in slack", origin)
    await bridge.app.service.customer_message(chat.id, "thanks")
    await bridge.fake.wait_for(lambda: any(m["text"] == "thanks" for m in bridge.fake.thread(channel, root)))
    assert "typed in slack" not in [m["text"] for m in bridge.fake.thread(channel, root)]


async def test_the_thread_survives_a_restart(bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app)
    channel, root = await thread_of(bridge, chat)
    await bridge.stop()
    await bridge.start()
    await bridge.app.service.customer_message(chat.id, "after the restart")
    await bridge.fake.wait_for(lambda: any(m["text"] == "after the restart" for m in bridge.fake.thread(channel, root)))
    headers = [m for m in bridge.fake.messages[channel] if m["thread_ts"] is None]
    assert len(headers) == 1


async def test_closing_updates_the_header_and_removes_its_buttons(bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app)
    channel, root = await thread_of(bridge, chat)
    await bridge.app.service.close(chat.id, "resolved", "alice")
    await bridge.fake.wait_for(lambda: bridge.fake.calls_to("chat.update"))
    await bridge.settle()
    header = bridge.fake.message(channel, root)
    assert not [b for b in header["blocks"] if b["type"] == "actions"]
    assert "Ended" in json.dumps(header["blocks"])
    assert any("ended" in m["text"] for m in bridge.fake.thread(channel, root))


@pytest.mark.parametrize("error", ["not_in_channel", "is_archived", "channel_not_found"])
async def test_a_channel_problem_is_shown_reported_and_nothing_is_lost(bridge: InProcessBridge, error: str) -> None:
    fake = bridge.fake
    {"not_in_channel": fake.not_in_channel, "is_archived": fake.archived}.get(error, set()).add(CHANNELS["billing"])
    if error == "channel_not_found":
        fake.channels.discard(CHANNELS["billing"])
    chat = await active_chat(bridge.app, queue="billing", first="still there?")
    await fake.wait_for(lambda: fake.calls_to("chat.postMessage", ok=False))
    ready = await bridge.readyz()
    assert ready.status_code == 503
    assert error in ready.json()["checks"]["slack"]["detail"]
    alerts = await fake.wait_for(lambda: fake.messages["CSUPERVISORS"])
    assert error in alerts[0]["text"]
    fake.not_in_channel.clear()
    fake.archived.clear()
    fake.channels.add(CHANNELS["billing"])
    channel, root = await thread_of(bridge, chat)
    await fake.wait_for(lambda: any(m["text"] == "still there?" for m in fake.thread(channel, root)), timeout=30)
    assert (await bridge.readyz()).status_code == 200
    assert len(fake.messages["CSUPERVISORS"]) == 1, "reported once, not on every retry"
