"""A post into a chat's thread is made once even when the process stops between Slack storing it and delivery
noting it: the core retries the event saying so, and the adapter finds the post (it carries its events in
Slack's message metadata) and skips it. Found by `make faults` (a): after `kill -9` of serve, coalesced
customer posts appeared twice in their threads."""

from bridge.domain.chat import Chat, Customer
from bridge.domain.events import ChatEvent
from bridge.ports import ThreadRef
from tests.slack.bridge import CHANNELS, InProcessBridge
from tests.slack.conftest import bridge, fake_slack, slack_settings  # noqa: F401 - fixtures


async def _chat_and_thread(bridge: InProcessBridge) -> tuple[Chat, ThreadRef]:  # noqa: F811
    """A chat no delivery runs for (no platform yet), and a thread opened for it by hand."""
    app = bridge.app
    chat = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "")
    thread = await app.surfaces["slack"].open_thread(chat, app.agent("alice"))
    return chat, thread


def _posts(bridge: InProcessBridge, thread: ThreadRef) -> list[str]:  # noqa: F811
    return [m["text"] for m in bridge.fake.thread(CHANNELS["general"], thread.thread_id)]


async def test_a_post_made_before_a_crash_is_not_made_again(bridge: InProcessBridge) -> None:  # noqa: F811
    app = bridge.app
    chat, thread = await _chat_and_thread(bridge)
    note = await app.service.staff_notice(chat.id, "for the CSR")
    surface = app.surfaces["slack"]
    assert await surface.deliver(thread, chat, note, (), False) == note.id
    assert await surface.deliver(thread, chat, note, (), True) == note.id  # the restart: the cursor stayed
    assert _posts(bridge, thread) == [":information_source: for the CSR"]


async def test_a_coalesced_post_cut_off_by_a_crash_is_not_made_again(bridge: InProcessBridge) -> None:  # noqa: F811
    app = bridge.app
    chat, thread = await _chat_and_thread(bridge)
    events: list[ChatEvent] = [await app.service.customer_message(chat.id, f"line {n}") for n in range(3)]
    surface = app.surfaces["slack"]
    assert await surface.deliver(thread, chat, events[0], events[1:], False) == events[2].id
    # the restarted process is told the first attempt may have been made, and reads only part of the burst
    assert await surface.deliver(thread, chat, events[0], events[1:2], True) == events[2].id
    assert _posts(bridge, thread) == ["line 0\nline 1\nline 2"]


async def test_a_post_slack_refused_is_made_when_tried_again(bridge: InProcessBridge) -> None:  # noqa: F811
    app = bridge.app
    chat, thread = await _chat_and_thread(bridge)
    note = await app.service.staff_notice(chat.id, "second time lucky")
    surface = app.surfaces["slack"]
    bridge.fake.fail("chat.postMessage", "not_in_channel")
    try:
        await surface.deliver(thread, chat, note, (), False)
    except Exception:  # the error a person must fix: delivery keeps the event and tries later
        pass
    await surface.deliver(thread, chat, note, (), True)
    assert _posts(bridge, thread) == [":information_source: second time lucky"]
    assert len(bridge.fake.calls_to("conversations.replies")) == 1, "only the retry looked for the post"
