"""Reactions between a chat's Matrix thread and the customer, on a real Synapse (bot mode): a CSR's
`m.reaction` on the customer's message (the bridge's post of it) reaches the widget and its redaction takes
it back; the customer's reaction on the CSR's message is the bot's `m.reaction` there, redacted when taken
back; reactions on other CSRs' chats, or with keys no emoji has, change nothing."""

from typing import Any

from bridge.domain.events import EventKind
from testkit.homeserver import Homeserver
from testkit.matrix_people import MatrixPerson, Seen, body, thread_of
from tests.matrix.bridge import InProcessBridge, StartBridge
from tests.matrix.customer import WidgetCustomer
from tests.matrix.test_end_to_end import available, relates, take_offer


async def reactions(bridge: InProcessBridge, chat_id: str) -> list[tuple[str, str, str, bool]]:
    return [(e.author.kind.value, str(e.data["target"]), str(e.data["key"]), bool(e.data["removed"]))
            for e in await bridge.app.stream.read_all(chat_id) if e.kind == EventKind.REACTION]


async def test_reactions_both_ways_in_bot_mode(start_bridge: StartBridge, matrix_overrides: dict[str, Any],
                                               homeserver: Homeserver, people: dict[str, MatrixPerson]) -> None:
    alice, bob = people["alice"], people["bob"]
    room = homeserver.rooms["general"]
    bridge = await start_bridge(matrix_overrides, widget=True)
    await bridge.leading()
    await available(alice, homeserver)
    async with bridge.customer() as http:
        ann = WidgetCustomer(http)
        await ann.start("Ann", "Where is parcel 42?")
        await ann.escalate()
        await take_offer(alice, "Ann")
        [head] = await alice.wait_for(lambda e: alice.from_bot(room)(e) and ann.chat_id in body(e)
                                      and not thread_of(e))
        root = head["event_id"]
        [post] = await alice.wait_for(lambda e: alice.from_bot(room, root)(e) and body(e).endswith("parcel 42?"))
        asked = await ann.wait_for(lambda e: e["kind"] == "message" and e["text"] == "Where is parcel 42?")

        await bob.react(room, post["event_id"], "👀")  # not his chat
        await alice.react(room, post["event_id"], "x" * 300)  # no emoji is called that
        thumbs = await alice.react(room, post["event_id"], "👍🏽")
        seen = await ann.wait_for(lambda e: e["kind"] == "reaction")
        assert (seen["author"]["name"], seen["data"]) == ("Alice", {"target": asked["id"], "key": "👍🏽",
                                                                    "removed": False})
        await alice.redact(room, thumbs)
        await ann.wait_for(lambda e: e["kind"] == "reaction" and e["data"]["removed"])
        assert await reactions(bridge, ann.chat_id) == [("agent", asked["id"], "👍🏽", False),
                                                        ("agent", asked["id"], "👍🏽", True)]

        said = await alice.send(room, "It left the depot today.", thread=root)
        answer = await ann.wait_for(lambda e: e["kind"] == "message" and e["author"]["kind"] == "agent")
        chat = await bridge.app.chats.get(ann.chat_id)
        assert chat is not None
        await bridge.app.service.customer_reaction(chat, answer["id"], "❤️")

        def bots_heart(e: Seen) -> bool:
            return e.get("type") == "m.reaction" and e.get("sender") == homeserver.user_id("csrbot") \
                and relates(e) == {"rel_type": "m.annotation", "event_id": said, "key": "❤️"}

        [heart] = await alice.wait_for(bots_heart)
        await bridge.app.service.customer_reaction(chat, answer["id"], "❤️", removed=True)
        await alice.wait_for(lambda e: e.get("type") == "m.room.redaction" and e.get("redacts") == heart["event_id"])
