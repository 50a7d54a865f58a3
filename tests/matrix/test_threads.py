"""A chat's thread in the queue room: header, messages both ways, notes, edits, deletions, files."""

import base64

from bridge.domain.events import AuthorKind, EventKind
from testkit.homeserver import Homeserver
from testkit.matrix_people import MatrixPerson, body
from tests.matrix.bridge import InProcessBridge
from tests.matrix.chats import open_chat, wait_events

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


async def test_messages_flow_both_ways_in_the_chat_thread(bridge: InProcessBridge, homeserver: Homeserver,
                                                          people: dict[str, MatrixPerson]) -> None:
    alice, bob = people["alice"], people["bob"]
    room = homeserver.rooms["general"]
    chat_id, root = await open_chat(bridge.app, alice, room, first="Hello <b>there</b>")
    posts = await alice.wait_for(alice.from_bot(room, root), count=2)
    [card] = [p for p in posts if body(p).startswith("Customer: ")]
    [first] = [p for p in posts if p is not card]
    assert "<b>Email</b>: ann@example.com" in card["content"]["formatted_body"]
    assert body(first) == "Ann: Hello <b>there</b>"
    assert "&lt;b&gt;there&lt;/b&gt;" in first["content"]["formatted_body"]
    assert first["content"]["m.relates_to"]["is_falling_back"] is True

    sent = await alice.send(room, "Hi Ann, how can I help?", thread=root)
    await alice.send(room, "// she sounds upset", thread=root)
    await alice.send(room, "not for the customer: outside any thread")
    [reply] = await wait_events(bridge.app, chat_id, lambda e: e.kind == EventKind.MESSAGE
                                and e.author.kind == AuthorKind.AGENT)
    assert (reply.text, reply.author.id, reply.origin.event_id) == ("Hi Ann, how can I help?", "alice", sent)
    [note] = await wait_events(bridge.app, chat_id, lambda e: e.kind == EventKind.NOTE)
    assert note.internal and note.text == "she sounds upset"

    await alice.edit(room, sent, "Hi Ann, how may I help?")
    await alice.redact(room, sent)
    [edited] = await wait_events(bridge.app, chat_id, lambda e: e.kind == EventKind.EDITED)
    [deleted] = await wait_events(bridge.app, chat_id, lambda e: e.kind == EventKind.DELETED)
    assert edited.text == "Hi Ann, how may I help?" and edited.data["target"] == reply.id
    assert deleted.data["target"] == reply.id

    await bob.send(room, "I'm not Ann's CSR", thread=root)
    [refusal] = await bob.wait_for(lambda e: e.get("sender") == homeserver.user_id("csrbot")
                                   and "not yours" in body(e))
    assert refusal["content"]["msgtype"] == "m.notice" and refusal["room_id"] != room

    await bridge.app.service.customer_message(chat_id, "thanks!")
    await alice.wait_for(lambda e: alice.from_bot(room, root)(e) and body(e) == "Ann: thanks!")
    texts = [e.text for e in await bridge.app.stream.read_all(chat_id) if e.kind == EventKind.MESSAGE]
    assert texts == ["Hello <b>there</b>", "Hi Ann, how can I help?", "thanks!"]
    bot_posts = [body(e) for e in alice.events if alice.from_bot(room, root)(e)]
    assert not any("how can I help" in b or "upset" in b for b in bot_posts), "echoed back into the thread"


async def test_images_go_both_ways_through_the_media_repository(bridge: InProcessBridge, homeserver: Homeserver,
                                                                people: dict[str, MatrixPerson]) -> None:
    alice = people["alice"]
    room = homeserver.rooms["general"]
    chat_id, root = await open_chat(bridge.app, alice, room, first="I'll send a screenshot")
    app = bridge.app
    attachment = await app.attachments.save(chat_id, "screen.png", "image/png", PNG)
    await app.service.customer_message(chat_id, "", attachments=[attachment])
    [image] = await alice.wait_for(lambda e: alice.from_bot(room, root)(e)
                                   and e["content"].get("msgtype") == "m.image")
    assert image["content"]["filename"] == "screen.png" and image["content"]["body"] == "Ann sent screen.png"
    assert await alice.download(image["content"]["url"]) == PNG

    await alice.send_file(room, root, PNG, "answer.png", "image/png")
    [event] = await wait_events(app, chat_id, lambda e: e.author.kind == AuthorKind.AGENT and bool(e.attachments))
    stored = await app.attachments.read(event.attachments[0].id)
    assert stored is not None and stored[1] == PNG and stored[0].filename == "answer.png"


async def test_files_beyond_the_limits_stay_with_the_csr(bridge: InProcessBridge, homeserver: Homeserver,
                                                         people: dict[str, MatrixPerson]) -> None:
    alice = people["alice"]
    room = homeserver.rooms["general"]
    chat_id, root = await open_chat(bridge.app, alice, room, first="hi")
    await alice.send_file(room, root, b"MZ\x90\x00", "tool.exe", "application/x-msdownload")
    [told] = await alice.wait_for(lambda e: alice.from_bot()(e) and "not sent to the customer" in body(e))
    assert "not allowed" in body(told)
    events = await bridge.app.stream.read_all(chat_id)
    assert not any(e.attachments for e in events)


async def test_a_command_in_the_thread_implies_its_chat(bridge: InProcessBridge, homeserver: Homeserver,
                                                        people: dict[str, MatrixPerson]) -> None:
    alice = people["alice"]
    room = homeserver.rooms["general"]
    chat_id, root = await open_chat(bridge.app, alice, room, first="hi")
    await alice.send(room, "!csr phrase greet", thread=root)
    [sent] = await wait_events(bridge.app, chat_id, lambda e: e.author.kind == AuthorKind.AGENT)
    assert sent.text == "Hi Ann, I'm Alice."
    await alice.wait_for(lambda e: alice.from_bot(room, root)(e) and body(e) == "Alice: Hi Ann, I'm Alice.")
    [told] = await alice.wait_for(lambda e: alice.from_bot()(e) and body(e).startswith("Sent “Greeting”"))
    assert told["content"]["msgtype"] == "m.notice"
