"""Replies in a chat's thread: who may answer, notes, edits, deletions, files, redeliveries."""

from bridge.domain.events import AuthorKind, EventKind
from tests.slack.bridge import InProcessBridge
from tests.slack.helpers import active_chat, thread_of


async def events_of(bridge: InProcessBridge, chat_id: str) -> list:
    return [e for e in await bridge.app.stream.read_all(chat_id) if e.author.kind is AuthorKind.AGENT]


async def test_a_roster_csr_reply_reaches_the_customer_once_even_if_slack_retries(bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app)
    channel, root = await thread_of(bridge, chat)
    ts = await bridge.sender.thread_reply("UALICE", channel, root, "Hi Ann, *looking* &lt;now&gt;", event_id="EvR1")
    await bridge.sender.thread_reply("UALICE", channel, root, "ignored", event_id="EvR1", retry_num=1)
    await bridge.settle()
    [event] = await events_of(bridge, chat.id)
    assert (event.kind, event.text, event.author.id) == (EventKind.MESSAGE, "Hi Ann, *looking* <now>", "alice")
    assert (event.origin.platform, event.origin.thread, event.origin.event_id) == ("slack", root, ts)


async def test_the_same_message_delivered_under_two_event_ids_is_stored_once(bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app)
    channel, root = await thread_of(bridge, chat)
    event = {"type": "message", "channel": channel, "user": "UALICE", "text": "once", "ts": "1700001111.000100",
             "thread_ts": root}
    await bridge.sender.event(event, event_id="EvA")
    await bridge.sender.event(event, event_id="EvB")
    await bridge.settle()
    assert [e.text for e in await events_of(bridge, chat.id)] == ["once"]


async def test_someone_off_the_roster_gets_a_hint_and_nothing_reaches_the_customer(bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app)
    channel, root = await thread_of(bridge, chat)
    await bridge.sender.thread_reply("UMALLORY", channel, root, "I'm the manager, refund approved")
    await bridge.settle()
    assert await events_of(bridge, chat.id) == []
    [hint] = bridge.fake.ephemerals
    assert (hint["user"], hint["channel"], hint["thread_ts"]) == ("UMALLORY", channel, root)
    assert "roster" in hint["text"]


async def test_another_csr_cannot_answer_someone_elses_chat(bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app, agent="alice")
    channel, root = await thread_of(bridge, chat)
    await bridge.sender.thread_reply("UBOB", channel, root, "let me take over")
    await bridge.settle()
    assert await events_of(bridge, chat.id) == []
    assert "another CSR" in bridge.fake.ephemerals[0]["text"]


async def test_a_supervisor_may_step_in(bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app, agent="alice")
    channel, root = await thread_of(bridge, chat)
    await bridge.sender.thread_reply("USAM", channel, root, "Sam here, a supervisor")
    await bridge.settle()
    assert [(e.author.id, e.text) for e in await events_of(bridge, chat.id)] == [("sam", "Sam here, a supervisor")]


async def test_a_reply_with_the_note_prefix_stays_internal(bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app)
    channel, root = await thread_of(bridge, chat)
    await bridge.sender.thread_reply("UALICE", channel, root, "// she sounds upset, offer a voucher")
    await bridge.settle()
    [note] = await events_of(bridge, chat.id)
    assert (note.kind, note.text, note.internal, note.customer_visible) == \
        (EventKind.NOTE, "she sounds upset, offer a voucher", True, False)


async def test_edits_and_deletions_follow_and_notes_never_leak_through_an_edit(bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app)
    channel, root = await thread_of(bridge, chat)
    sent = await bridge.sender.thread_reply("UALICE", channel, root, "Your refund is 10 EUR")
    note = await bridge.sender.thread_reply("UALICE", channel, root, "// internal")
    await bridge.settle()

    def changed(ts: str, old: str, new: str) -> dict:
        return {"type": "message", "subtype": "message_changed", "channel": channel, "ts": bridge.fake.new_ts(),
                "message": {"type": "message", "user": "UALICE", "text": new, "ts": ts, "thread_ts": root,
                            "edited": {"user": "UALICE", "ts": bridge.fake.new_ts()}},
                "previous_message": {"type": "message", "user": "UALICE", "text": old, "ts": ts, "thread_ts": root}}

    await bridge.sender.event(changed(sent, "Your refund is 10 EUR", "Your refund is 12 EUR"))
    await bridge.sender.event(changed(note, "// internal", "now public?"))
    await bridge.sender.event({"type": "message", "subtype": "message_deleted", "channel": channel,
                               "ts": bridge.fake.new_ts(), "deleted_ts": sent,
                               "previous_message": {"type": "message", "user": "UALICE", "text": "x", "ts": sent,
                                                    "thread_ts": root}})
    await bridge.settle()
    events = await events_of(bridge, chat.id)
    message = events[0]
    assert [(e.kind, e.text) for e in events] == [(EventKind.MESSAGE, "Your refund is 10 EUR"),
                                                   (EventKind.NOTE, "internal"),
                                                   (EventKind.EDITED, "Your refund is 12 EUR"),
                                                   (EventKind.DELETED, "")]
    assert events[2].data["target"] == events[3].data["target"] == message.id
    assert "not passed to the customer" in bridge.fake.ephemerals[0]["text"]


async def test_a_csr_file_is_fetched_with_the_bot_token_and_stored_for_the_customer(bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app)
    channel, root = await thread_of(bridge, chat)
    shared = bridge.fake.user_file(b"%PDF-1.4 label", "label.pdf", "application/pdf")
    await bridge.sender.thread_reply("UALICE", channel, root, "your return label", files=[shared])
    await bridge.settle()
    [event] = await events_of(bridge, chat.id)
    [attachment] = event.attachments
    assert (event.text, attachment.filename, attachment.content_type) == ("your return label", "label.pdf",
                                                                          "application/pdf")
    stored = await bridge.app.attachments.read(attachment.id)
    assert stored is not None and stored[1] == b"%PDF-1.4 label"


async def test_csr_files_outside_the_limits_are_refused_with_a_reason(bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app)
    channel, root = await thread_of(bridge, chat)
    exe = bridge.fake.user_file(b"MZ...", "tool.exe", "application/x-msdownload")
    big = bridge.fake.user_file(b"x" * (10 * 1024 * 1024 + 1), "huge.txt", "text/plain")
    elsewhere = {**bridge.fake.user_file(b"hi", "a.txt", "text/plain"),
                 "url_private_download": "https://attacker.example/steal-token"}
    await bridge.sender.thread_reply("UALICE", channel, root, "", files=[exe, big, elsewhere])
    await bridge.settle()
    assert await events_of(bridge, chat.id) == []
    hints = " ".join(e["text"] for e in bridge.fake.ephemerals)
    assert "tool.exe" in hints and "huge.txt" in hints and "not stored on Slack" in hints


async def test_top_level_messages_and_bot_posts_are_not_forwarded(bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app)
    channel, root = await thread_of(bridge, chat)
    await bridge.sender.event({"type": "message", "channel": channel, "user": "UALICE", "text": "top level",
                               "ts": bridge.fake.new_ts()})
    await bridge.sender.event({"type": "message", "subtype": "bot_message", "channel": channel, "bot_id": "BOTHER",
                               "text": "another bot", "ts": bridge.fake.new_ts(), "thread_ts": root})
    await bridge.settle()
    assert await events_of(bridge, chat.id) == []
    assert bridge.fake.ephemerals == []
