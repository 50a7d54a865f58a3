"""Appservice mode on a real Synapse that loaded the generated registration: the whole way a chat goes,
with the customer speaking as their own ghost user, and the homeserver pushing every event to the bridge."""

import asyncio
import json

from testkit.appservice import AppserviceHomeserver
from testkit.matrix_people import MatrixPerson, Seen, body, thread_of
from tests.knowledge.helpers import run_worker
from tests.matrix.bridge import InProcessBridge
from tests.matrix.customer import WidgetCustomer
from tests.matrix.test_end_to_end import PNG, relates


def ghost_of(ash: AppserviceHomeserver, chat_id: str) -> str:
    return f"@{ash.matrix.ghost_prefix}{chat_id}:localhost"


async def available(person: MatrixPerson, room: str) -> None:
    bot = person.hs.user_id("csrbot")
    await person.send(room, "!csr available")
    await person.wait_for(lambda e: e.get("sender") == bot and body(e).startswith("You are available"))


async def card_for(person: MatrixPerson, customer: str) -> Seen:
    bot = person.hs.user_id("csrbot")
    [card] = await person.wait_for(lambda e: e.get("sender") == bot and body(e).startswith("📨")
                                   and f"Customer: {customer}" in body(e))
    await person.wait_for(lambda e: e.get("type") == "m.reaction" and e.get("sender") == bot
                          and relates(e).get("event_id") == card["event_id"], count=2)
    return card


async def test_a_chat_the_whole_way_with_the_customer_as_a_ghost(as_bridge: InProcessBridge,
                                                                as_homeserver: AppserviceHomeserver,
                                                                as_people: dict[str, MatrixPerson]) -> None:
    alice, bob = as_people["alice"], as_people["bob"]
    hs, room = as_homeserver.hs, as_homeserver.hs.rooms["general"]
    bot = hs.user_id("csrbot")
    await available(alice, room)
    async with as_bridge.customer() as http:
        ada = WidgetCustomer(http)
        await ada.start("Ada", "My order is <late>")
        await ada.escalate()
        card = await card_for(alice, "Ada")
        await alice.react(card["room_id"], card["event_id"], "✅")

        ghost = ghost_of(as_homeserver, ada.chat_id)
        [head] = await alice.wait_for(lambda e: e.get("sender") == bot and ada.chat_id in body(e)
                                      and not thread_of(e) and e["room_id"] == room)
        root = head["event_id"]
        [first] = await alice.wait_for(lambda e: e.get("sender") == ghost and thread_of(e) == root)
        assert body(first) == "My order is <late>", "a ghost's post carries no name label: its own name shows"
        [joined] = await alice.wait_for(lambda e: e.get("type") == "m.room.member" and e.get("state_key") == ghost
                                        and e["content"].get("membership") == "join")
        assert joined["content"]["displayname"] == "Ada (customer)"

        await ada.say("Hello?")
        await ada.send_file("receipt.png", PNG, "image/png")
        await alice.wait_for(lambda e: e.get("sender") == ghost and body(e) == "Hello?")
        [image] = await alice.wait_for(lambda e: e.get("sender") == ghost and e["content"].get("msgtype") == "m.image")
        assert await alice.download(image["content"]["url"]) == PNG

        await alice.send(room, "Hi Ada, let me look.", thread=root)
        await alice.send(room, "// she sounds upset", thread=root)
        said = await ada.wait_for(lambda e: e["kind"] == "message" and e["text"] == "Hi Ada, let me look.")
        assert said["author"] == {"kind": "agent", "name": "Alice"}
        await alice.send(room, "!csr phrase greet", thread=root)
        await ada.wait_for(lambda e: e["kind"] == "message" and e["text"] == "Hi Ada, I'm Alice.")

        await available(bob, room)
        await alice.send(room, f"!csr transfer {bob.user_id} billing question", thread=root)
        bob_card = await card_for(bob, "Ada")
        await bob.send(bob_card["room_id"], "!accept",
                       extra={"m.relates_to": {"m.in_reply_to": {"event_id": bob_card["event_id"]}}})
        await ada.wait_for(lambda e: e["kind"] == "transferred" and e["data"].get("agent_name") == "Bob")
        await bob.send(room, "Bob here.", thread=root)
        await ada.wait_for(lambda e: e["kind"] == "message" and e["text"] == "Bob here.")

        await bob.send(room, "!csr transcript json", thread=root)
        await bob.wait_for(lambda e: e.get("sender") == bot and "json" in body(e).lower())
        await asyncio.to_thread(run_worker, as_bridge.app.config_path)
        await bob.wait_for(lambda e: e.get("sender") == bot and thread_of(e) == root
                           and body(e).startswith("Transcript"))
        [file] = await bob.wait_for(lambda e: e.get("sender") == bot and thread_of(e) == root
                                    and e["content"].get("msgtype") == "m.file")
        doc = json.loads(await bob.download(file["content"]["url"]))
        assert [e["text"] for e in doc["events"] if e["kind"] == "message"][:2] == ["My order is <late>", "Hello?"]
        await bob.send(room, "!csr end", thread=root)
        await ada.wait_for(lambda e: e["kind"] == "closed")
        await bob.wait_for(lambda e: e.get("sender") == bot and body(e) == "🔚 Chat ended by Bob (agent ended)")
    texts = [e["text"] for e in ada.events if e["kind"] == "message" and e["author"]["kind"] == "agent"]
    assert texts == ["Hi Ada, let me look.", "Hi Ada, I'm Alice.", "Bob here."]
    bot_posts = [body(e) for e in alice.events if e.get("sender") == bot and thread_of(e) == root]
    assert not any("Hello?" in b for b in bot_posts), "the customer's words come from the ghost, not the bot"
