"""Offers in the CSR's direct room: two ✅ at once give one winner; `!accept` / `!decline`; expiry."""

import asyncio
from typing import Any

from bridge.domain.chat import Customer
from testkit.configs import base_raw, merged
from testkit.homeserver import Homeserver
from testkit.matrix_people import MatrixPerson, Seen, body, thread_of
from tests.matrix.bridge import InProcessBridge, StartBridge
from tests.matrix.test_end_to_end import available, relates


def queues(**general: Any) -> dict[str, Any]:
    raw = base_raw()["queues"]
    return {"queues": [merged(raw[0], general), *raw[1:]]}


async def card_for(person: MatrixPerson, customer: str) -> Seen:
    [card] = await person.wait_for(lambda e: person.from_bot()(e) and body(e).startswith("📨")
                                   and f"Customer: {customer}" in body(e))
    return card


async def final_word(person: MatrixPerson, card: Seen) -> str:
    [edit] = await person.wait_for(lambda e: relates(e).get("rel_type") == "m.replace"
                                   and relates(e).get("event_id") == card["event_id"])
    return str(edit["content"]["m.new_content"]["body"]).split("\n")[0]


async def escalate(bridge: InProcessBridge, name: str) -> str:
    chat = await bridge.app.service.start_chat(Customer(name=name), "question", "general", 0, f"hi, I'm {name}")
    await bridge.app.service.escalate(chat.id)
    return chat.id


async def test_two_csrs_reacting_at_once_give_one_winner(start_bridge: StartBridge, redis: Any,
                                                         matrix_overrides: dict[str, Any], homeserver: Homeserver,
                                                         people: dict[str, MatrixPerson]) -> None:
    alice, bob = people["alice"], people["bob"]
    bridge = await start_bridge(merged(matrix_overrides, queues(strategy="broadcast")))
    await bridge.leading()
    await available(alice, homeserver)
    await available(bob, homeserver)
    chat_id = await escalate(bridge, "Ann")
    cards = {p.user_id: await card_for(p, "Ann") for p in (alice, bob)}
    await asyncio.gather(*(p.react(cards[p.user_id]["room_id"], cards[p.user_id]["event_id"], "✅")
                           for p in (alice, bob)))

    words = {p.user_id: await final_word(p, cards[p.user_id]) for p in (alice, bob)}
    assert sorted(words.values()) == ["Taken by someone else: chat with Ann", "✅ Accepted: chat with Ann"]
    chat = await bridge.app.chats.get(chat_id)
    assert chat is not None and chat.state == "active"
    winner = next(p for p in (alice, bob) if words[p.user_id].startswith("✅"))
    assert chat.agent_id == winner.user_id[1:].split(":")[0]
    loser = bob if winner is alice else alice
    await loser.wait_for(lambda e: loser.from_bot()(e) and body(e).startswith("⚠️ Too late"))
    room = homeserver.rooms["general"]
    await winner.wait_for(lambda e: winner.from_bot(room)(e) and chat_id in body(e) and not thread_of(e))
    await bridge.app.delivery.idle()
    headers = [e for e in winner.events if winner.from_bot(room)(e) and chat_id in body(e) and not thread_of(e)]
    assert len(headers) == 1


async def test_accept_and_decline_by_replying(start_bridge: StartBridge, redis: Any,
                                              matrix_overrides: dict[str, Any], homeserver: Homeserver,
                                              people: dict[str, MatrixPerson]) -> None:
    alice = people["alice"]
    bridge = await start_bridge(matrix_overrides)
    await bridge.leading()
    await available(alice, homeserver)
    first = await escalate(bridge, "Ann")
    card = await card_for(alice, "Ann")
    await alice.send(card["room_id"], "!decline")
    assert await final_word(alice, card) == "❌ Declined: chat with Ann"

    second = await escalate(bridge, "Ben")
    card = await card_for(alice, "Ben")
    reply_to_card = {"m.relates_to": {"m.in_reply_to": {"event_id": card["event_id"]}}}
    await alice.send(card["room_id"], "!accept", extra=reply_to_card)
    assert await final_word(alice, card) == "✅ Accepted: chat with Ben"
    chat = await bridge.app.chats.get(second)
    assert chat is not None and chat.agent_id == "alice" and chat.platform == "matrix"
    declined = await bridge.app.chats.get(first)
    assert declined is not None and declined.agent_id != "alice"


async def test_an_unanswered_offer_expires_on_the_card(start_bridge: StartBridge, redis: Any,
                                                       matrix_overrides: dict[str, Any], homeserver: Homeserver,
                                                       people: dict[str, MatrixPerson]) -> None:
    alice = people["alice"]
    bridge = await start_bridge(merged(matrix_overrides, queues(offer_timeout=1)))
    await bridge.leading()
    await available(alice, homeserver)
    await escalate(bridge, "Cid")
    card = await card_for(alice, "Cid")
    assert (await final_word(alice, card)).startswith("⌛ Expired")
