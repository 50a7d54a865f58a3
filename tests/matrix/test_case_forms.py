"""Case forms on a real Synapse: the form asks one question at a time in the chat's thread, the CSR's
answers there go to the form (never to the customer), a bad answer is asked again, `!csr cancel` stops."""

from typing import Any

import pytest

from bridge.domain.events import AuthorKind, EventKind
from testkit.homeserver import Homeserver
from testkit.matrix_people import MatrixPerson, body
from tests.matrix.bridge import InProcessBridge, matrix_raw
from tests.matrix.chats import open_chat, wait_events

CASES = {"webhook_secret": "crm-secret", "types": [
    {"id": "refund", "title": "Refund request", "webhook_url": "http://127.0.0.1:9/hooks", "fields": [
        {"name": "order_number", "label": "Order number", "pattern": r"[A-Z]{2}-\d{5}", "prefill": "messages"},
        {"name": "amount", "label": "Amount", "type": "money"},
    ]}]}


@pytest.fixture
def matrix_overrides(homeserver: Homeserver) -> dict[str, Any]:
    return {**matrix_raw(homeserver), "cases": CASES}


async def test_a_case_form_is_filled_in_the_thread(bridge: InProcessBridge, homeserver: Homeserver,
                                                   people: dict[str, MatrixPerson]) -> None:
    alice = people["alice"]
    room = homeserver.rooms["general"]
    chat_id, root = await open_chat(bridge.app, alice, room, first="my order AB-12345 never came")

    def bot_says(text: str) -> Any:
        return lambda e: alice.from_bot(room, root)(e) and text in body(e)

    await alice.send(room, "!csr case refund", thread=root)
    [first] = await alice.wait_for(bot_says("question 1 of 2"))
    assert first["content"]["msgtype"] == "m.notice" and "AB-12345" in body(first)
    await alice.send(room, "keep", thread=root)
    await alice.wait_for(bot_says("question 2 of 2"))
    await alice.send(room, "twelve", thread=root)
    [refused] = await alice.wait_for(bot_says("Amount must be a number"))
    assert refused["content"]["msgtype"] == "m.notice"
    await alice.send(room, "12,50", thread=root)
    await alice.wait_for(bot_says("ready to send"))
    await alice.send(room, "submit", thread=root)
    [filed] = await alice.wait_for(bot_says("filed"))

    events = await bridge.app.stream.read_all(chat_id)
    [case] = [e for e in events if e.kind is EventKind.CASE]
    assert case.data["fields"] == {"order_number": "AB-12345", "amount": "12.50"}
    assert case.data["reference"] in body(filed)
    said = [e.text for e in events if e.kind is EventKind.MESSAGE and e.author.kind is AuthorKind.AGENT]
    assert said == [], "an answer to the form reached the customer"

    await alice.send(room, "!csr case refund", thread=root)
    await alice.wait_for(lambda e: alice.from_bot(room, root)(e) and "question 1 of 2" in body(e)
                         and e["event_id"] != first["event_id"])
    await alice.send(room, "!csr cancel", thread=root)
    await alice.wait_for(bot_says("Case form dropped"))
    await alice.send(room, "Anything else I can do?", thread=root)
    [message] = await wait_events(bridge.app, chat_id, lambda e: e.kind is EventKind.MESSAGE
                                  and e.author.kind is AuthorKind.AGENT)
    assert message.text == "Anything else I can do?"
