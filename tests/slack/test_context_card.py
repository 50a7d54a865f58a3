"""The customer's context card in the Slack thread: one post, right under the header, with everything the CSR
needs (escaped like the customer's messages, verbatim mrkdwn); the customer's page changes rewrite it in place
(chat.update), debounced; earlier chats of a verified customer are listed; `/csr customer` and `/csr history`
show it on demand. The rendered block JSON is checked here."""

import json
from typing import Any

from bridge.clock import now
from bridge.domain.chat import Chat, ChatState, Customer, Visit
from bridge.identity import verified_customer_id
from tests.slack.bridge import InProcessBridge
from tests.slack.helpers import card_post, said, thread_of

HOSTILE = "Ann <!channel> *bold* <https://evil.example|bank> & `x`"


def _mrkdwn(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return found


async def _active(bridge: InProcessBridge, customer: Customer, visit: Visit) -> Chat:
    app = bridge.app
    chat = await app.service.start_chat(customer, "question", "general", 0, "Hello there", visit)
    await app.redis.hset(app.keys.chat(chat.id), mapping={"state": ChatState.ACTIVE, "agent_id": "alice",
                                                          "platform": "slack", "accepted_at": now()})
    await app.feed.publish("chat", chat.id)
    return chat


async def test_the_card_is_posted_once_escaped_and_updated_in_place(bridge: InProcessBridge) -> None:
    app, fake = bridge.app, bridge.fake
    user = "u-7"
    earlier = Chat(id="earlier0001", customer=Customer(name="Ann", id=verified_customer_id(user), user_id=user,
                                                       verified=True), topic="question", queue="billing",
                   state=ChatState.CLOSED, agent_id="bob", created_at=now() - 86400, closed_at=now() - 86000)
    await app.transcripts.store.save(earlier, [], [])
    customer = Customer(name=HOSTILE, email="ann@example.com", id=verified_customer_id(user), user_id=user,
                        verified=True, attributes={"plan": "enterprise <!here>"})
    visit = Visit(page_url="https://shop.example/cart?x=<b>", page_title="Cart & <co>", referrer="https://ref.example/",
                  browser="Chrome 131", os="Windows 10", language="de-CH", time_zone="Europe/Zurich",
                  utc_offset_minutes=60)
    chat = await _active(bridge, customer, visit)
    channel, root = await thread_of(bridge, chat)
    await fake.wait_for(lambda: said(fake, channel, root))
    await bridge.settle()
    card = card_post(fake, channel, root)
    assert card is not None and card["thread_ts"] == root
    assert fake.thread(channel, root)[0]["ts"] == card["ts"], "the card comes first, under the header"
    text = json.dumps(card["blocks"], ensure_ascii=False)
    for shown in ("ann@example.com", "Chrome 131 on Windows 10", "de-CH", "Europe/Zurich", "plan (verified)",
                  "enterprise &lt;!here&gt;", "A question / General", "Previous chats", "with Bob",
                  "Cart &amp; &lt;co&gt;", "✅ verified", "https://ref.example/"):
        assert shown in text, shown
    mrkdwn = _mrkdwn(card["blocks"])
    assert mrkdwn and all(m.get("verbatim") is True for m in mrkdwn)
    assert not [m for m in mrkdwn if "<!" in m["text"] or "<https://evil" in m["text"]]
    assert "<!channel>" not in card["text"] and "&lt;!channel&gt;" in card["text"]
    transcript = [e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [e["value"] for e in transcript] == [f"history {chat.id} transcript earlier0001"]

    for n in range(5):  # a burst of page changes: one rewrite (or a few), never a new post
        fresh = await app.chats.get(chat.id)
        assert fresh is not None
        await app.service.visited(fresh, fresh.visit.model_copy(update={"page_url": f"https://shop.example/p/{n}",
                                                                        "page_title": f"Product {n}"}))
    await fake.wait_for(lambda: "Product 4" in json.dumps(fake.message(channel, card["ts"])["blocks"]))
    await bridge.settle()
    assert len([m for m in fake.thread(channel, root) if m["ts"] == card["ts"]]) == 1
    assert card_post(fake, channel, root)["ts"] == card["ts"]  # type: ignore[index]
    updates = [c for c in fake.calls_to("chat.update") if c.args.get("ts") == card["ts"]]
    assert 1 <= len(updates) <= 5
    posts_before = len(fake.thread(channel, root))
    fresh = await app.chats.get(chat.id)
    assert fresh is not None
    await app.service.visited(fresh, fresh.visit)  # nothing new to show: nothing sent
    await bridge.settle()
    assert len([c for c in fake.calls_to("chat.update") if c.args.get("ts") == card["ts"]]) == len(updates)
    assert len(fake.thread(channel, root)) == posts_before


async def test_customer_and_history_commands(bridge: InProcessBridge) -> None:
    fake = bridge.fake
    chat = await _active(bridge, Customer(name="Ann", id="s_session1"), Visit())
    await thread_of(bridge, chat)
    await bridge.settle()
    shown = await bridge.sender.command("UALICE", f"customer {chat.id}")
    assert shown.status_code == 200
    history = await bridge.sender.command("UALICE", f"history {chat.id}")
    assert history.status_code == 200
    other = await bridge.sender.command("UALICE", f"history {chat.id} transcript someone-elses")
    assert other.status_code == 200
    nosy = await bridge.sender.command("UBOB", f"customer {chat.id}")
    assert nosy.status_code == 200
    await bridge.settle()
    said_back = json.dumps([fake.hooks, fake.ephemerals, shown.text, history.text, other.text, nosy.text])
    assert "Customer: Ann" in said_back and "not verified" in said_back
    assert "this browser session only" in said_back
    assert "No earlier chat someone-elses of this customer" in said_back
    assert "Only the chat" in said_back
