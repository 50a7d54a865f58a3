"""A left message on Matrix (a real Synapse): its thread header asks for ✋; the CSR who reacts claims it, and
their replies in the thread are the chat's again (before the claim nobody's reply is taken)."""

from bridge.domain.chat import ChatState, Customer
from bridge.domain.events import AuthorKind, EventKind
from testkit.homeserver import Homeserver
from testkit.matrix_people import MatrixPerson, body, thread_of
from tests.matrix.bridge import InProcessBridge
from tests.matrix.chats import wait_events


async def test_a_reaction_claims_the_left_message_and_the_thread_answers_it(
        bridge: InProcessBridge, homeserver: Homeserver, people: dict[str, MatrixPerson]) -> None:
    app, alice, bob = bridge.app, people["alice"], people["bob"]
    room = homeserver.rooms["general"]
    chat = await app.service.start_chat(Customer(name="Ann", email="ann@example.org"), "question", "general", 0,
                                        "My parcel never came.")
    await app.service.escalate(chat.id)  # nobody signed in: a left message
    left = await app.chats.get(chat.id)
    assert left is not None and left.state == ChatState.MESSAGE
    [head] = await alice.wait_for(lambda e: alice.from_bot(room)(e) and chat.id in body(e) and not thread_of(e))
    assert "react ✋" in body(head) and "by email" in body(head)
    root = head["event_id"]

    await alice.send(room, "Before claiming", thread=root)
    await alice.wait_for(lambda e: e.get("sender") == homeserver.user_id("csrbot")
                         and "Nobody has claimed this left message yet" in body(e))
    await alice.react(room, root, "✋")
    await wait_events(app, chat.id, lambda e: e.kind == EventKind.ACCEPTED and e.data.get("claimed") is True)
    claimed = await app.chats.get(chat.id)
    assert claimed is not None and (claimed.state, claimed.agent_id) == (ChatState.ACTIVE, "alice")
    await bob.react(room, root, "✋")  # too late: still Alice's
    await bob.wait_for(lambda e: e.get("sender") == homeserver.user_id("csrbot") and "Too late" in body(e))

    await alice.send(room, "Sorry! A new parcel leaves today.", thread=root)
    [reply] = await wait_events(app, chat.id, lambda e: e.kind == EventKind.MESSAGE
                                and e.author.kind == AuthorKind.AGENT)
    assert (reply.text, reply.author.id) == ("Sorry! A new parcel leaves today.", "alice")
