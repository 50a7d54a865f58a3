"""The whole way, on a real Synapse: a customer escalates through the widget API, a CSR takes the
offer with a reaction in Element-like fashion, they talk (an image each way), the chat is transferred
to a second CSR, who ends it; the customer sees the close."""

import base64
from typing import Any

from testkit.homeserver import Homeserver
from testkit.matrix_people import MatrixPerson, Seen, body, thread_of
from tests.matrix.bridge import StartBridge
from tests.matrix.customer import WidgetCustomer

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def relates(e: Seen) -> dict[str, Any]:
    return dict(e.get("content", {}).get("m.relates_to") or {})


async def available(person: MatrixPerson, hs: Homeserver) -> None:
    await person.send(hs.rooms["general"], "!csr available")
    await person.wait_for(lambda e: person.from_bot()(e) and body(e).startswith("You are available"))


async def take_offer(person: MatrixPerson, customer: str, key: str = "✅") -> Seen:
    """Waits for the offer card with the bot's ✅ ❌ already on it, then answers with a reaction."""
    [card] = await person.wait_for(lambda e: person.from_bot()(e) and body(e).startswith("📨")
                                   and f"Customer: {customer}" in body(e))
    bot = person.hs.user_id("csrbot")
    placed = await person.wait_for(lambda e: e.get("type") == "m.reaction" and e.get("sender") == bot
                                   and relates(e).get("event_id") == card["event_id"], count=2)
    assert {relates(e)["key"] for e in placed} == {"✅", "❌"}
    await person.react(card["room_id"], card["event_id"], key)
    return card


async def test_escalate_accept_talk_transfer_end(start_bridge: StartBridge, redis: Any,
                                                 matrix_overrides: dict[str, Any], homeserver: Homeserver,
                                                 people: dict[str, MatrixPerson]) -> None:
    alice, bob = people["alice"], people["bob"]
    room = homeserver.rooms["general"]
    bridge = await start_bridge(matrix_overrides, widget=True)
    await bridge.leading()
    await available(alice, homeserver)
    async with bridge.customer() as http:
        ann = WidgetCustomer(http)
        await ann.start("Ann", "My order is <late>")
        await ann.escalate()

        card = await take_offer(alice, "Ann")
        assert "Queue: General" in body(card) and "First message: My order is <late>" in body(card)
        [head] = await alice.wait_for(lambda e: alice.from_bot(room)(e) and ann.chat_id in body(e)
                                      and not thread_of(e))
        root = head["event_id"]
        assert "Ann" in body(head) and "Alice" in body(head)
        await alice.wait_for(lambda e: relates(e).get("rel_type") == "m.replace"
                             and relates(e).get("event_id") == card["event_id"]
                             and "Accepted" in e["content"]["m.new_content"]["body"])
        await alice.wait_for(lambda e: alice.from_bot(room, root)(e) and body(e) == "Ann: My order is <late>")

        await ann.say("Hello?")
        await ann.send_file("receipt.png", PNG, "image/png")
        await alice.wait_for(lambda e: alice.from_bot(room, root)(e) and body(e).endswith("Hello?"))
        [image] = await alice.wait_for(lambda e: alice.from_bot(room, root)(e)
                                       and e["content"].get("msgtype") == "m.image")
        assert await alice.download(image["content"]["url"]) == PNG

        await alice.send(room, "Hi Ann, let me look.", thread=root)
        await alice.send_file(room, root, PNG, "label.png", "image/png")
        said = await ann.wait_for(lambda e: e["kind"] == "message" and e["text"] == "Hi Ann, let me look.")
        assert said["author"] == {"kind": "agent", "name": "Alice"}
        got = await ann.wait_for(lambda e: e["kind"] == "message" and e["author"]["kind"] == "agent"
                                 and bool(e["attachments"]))
        assert got["attachments"][0]["filename"] == "label.png"
        assert await ann.fetch(got["attachments"][0]["url"]) == PNG

        await available(bob, homeserver)
        await alice.send(room, f"!csr transfer {bob.user_id} billing question", thread=root)
        await take_offer(bob, "Ann", key="👍")
        await ann.wait_for(lambda e: e["kind"] == "transferred" and e["data"].get("agent_name") == "Bob")
        await bob.wait_for(lambda e: bob.from_bot(room, root)(e) and body(e) == "🔀 Transferred from Alice to Bob")
        await bob.send(room, "Bob here, I'll take it from now.", thread=root)
        await ann.wait_for(lambda e: e["kind"] == "message" and e["author"]["name"] == "Bob")
        await alice.send(room, "one more thing", thread=root)
        [refused] = await alice.wait_for(lambda e: alice.from_bot()(e) and "not yours" in body(e))
        assert refused["room_id"] != room

        await bob.send(room, "!csr end", thread=root)
        await ann.wait_for(lambda e: e["kind"] == "closed")
        assert await ann.state() == "closed"
        await bob.wait_for(lambda e: bob.from_bot(room, root)(e) and body(e) == "🔚 Chat ended by Bob (agent ended)")
        texts = [e["text"] for e in ann.events if e["kind"] == "message" and e["author"]["kind"] == "agent"]
        assert texts == ["Hi Ann, let me look.", "", "Bob here, I'll take it from now."]
