"""A whole chat through the real bridge: widget API in, Slack (the fake Web API) out, signed requests back.

Escalation -> offer card in the CSR's DM -> Accept -> thread with header -> messages and a file both
ways -> `/csr transfer` -> the second CSR accepts -> `/csr end` -> cards and thread updated.
"""

import json
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from testkit.fake_slack import FakeSlack
from tests.slack.bridge import CHANNELS, InProcessBridge, slack_overrides
from tests.slack.helpers import card_post, said

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17


class Customer:
    """The widget's side of the chat, over its HTTP API."""

    def __init__(self, base: str) -> None:
        self._http = httpx.AsyncClient(base_url=f"{base}/api/v1", timeout=10)
        self.chat_id = ""
        self.after = "0"

    async def start(self, name: str, first: str) -> None:
        response = await self._http.post("/chats", json={"name": name, "topic": "question", "message": first})
        assert response.status_code in (200, 201), response.text
        body = response.json()
        self.chat_id = body["chat_id"]
        self._http.headers["Authorization"] = f"Bearer {body['token']}"

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        response = await self._http.post(f"/chats/{self.chat_id}{path}", **kwargs)
        assert response.status_code in (200, 201), response.text
        return response

    async def events(self) -> list[dict[str, Any]]:
        response = await self._http.get(f"/chats/{self.chat_id}/events", params={"after": "0"})
        assert response.status_code == 200, response.text
        return response.json()["events"]

    async def download(self, url: str) -> bytes:
        response = await self._http.get(url.removeprefix("/api/v1"))
        assert response.status_code == 200, response.text
        return response.content

    async def close(self) -> None:
        await self._http.aclose()


@pytest.fixture
async def bridge(tmp_path: Any, redis: Redis, redis_url: str, fake_slack: FakeSlack) -> Any:
    fake_slack.post_rate = 20.0  # a faster Slack and a matching pace keep the test short; pacing has its own tests
    overrides = slack_overrides(fake_slack, messages_per_second=20.0)
    running = InProcessBridge(tmp_path, redis, redis_url, fake_slack, overrides, adapters=("widget", "slack"))
    await running.start()
    yield running
    await running.stop()


def buttons(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["action_id"]: e for b in message.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]}


def mrkdwn_texts(message: dict[str, Any]) -> list[str]:
    """Every text Slack parses for mentions and links: the fallback text and mrkdwn objects (not plain_text)."""
    found = [message.get("text") or ""]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node.get("text", ""))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.get("blocks"))
    return found


async def card_in(fake: FakeSlack, dm: str, count: int = 1) -> dict[str, Any]:
    cards = await fake.wait_for(lambda: len([m for m in fake.messages[dm] if "offer_accept" in buttons(m)]) >= count
                                and [m for m in fake.messages[dm] if "offer_accept" in json.dumps(m["blocks"])])
    return cards[-1]


async def test_a_chat_from_escalation_to_end_through_slack(bridge: InProcessBridge) -> None:
    fake, sender = bridge.fake, bridge.sender
    general = CHANNELS["general"]
    for user in ("UALICE", "UBOB"):
        assert (await sender.command(user, "available")).status_code == 200
    await bridge.settle()
    customer = Customer(bridge.url)
    await customer.start("Ann <!channel>", "Where is my order? <!here>")
    await customer.post("/escalate")

    # offer card in a DM, accepted with the signed button press
    await fake.wait_for(lambda: fake.messages.get("DUALICE") or fake.messages.get("DUBOB"))
    dm, csr, other = ("DUALICE", "UALICE", "UBOB") if fake.messages.get("DUALICE") else ("DUBOB", "UBOB", "UALICE")
    card = await card_in(fake, dm)
    assert "Where is my order? &lt;!here&gt;" in json.dumps(card["blocks"])
    accept = buttons(card)["offer_accept"]
    clicked = await sender.block_action(csr, "offer_accept", accept["value"], channel=dm, message=card)
    assert clicked.status_code == 200
    await fake.wait_for(lambda: not buttons(fake.message(dm, card["ts"])))
    assert "You accepted" in json.dumps(fake.message(dm, card["ts"])["blocks"])
    assert await fake.wait_for(lambda: any("You got the chat" in h["text"] for h in fake.hooks))  # its own request

    # the thread: header with buttons, the history under it, the customer's text escaped
    root = await fake.wait_for(lambda: next((m["ts"] for m in fake.messages[general] if m["thread_ts"] is None), None))
    assert "chat_action:end" in buttons(fake.message(general, root))
    await fake.wait_for(lambda: said(fake, general, root))
    first = said(fake, general, root)[0]
    card = card_post(fake, general, root)
    assert card is not None and "Ann &lt;!channel&gt;" in card["text"] and "<!channel>" not in json.dumps(card)
    assert first["text"] == "Where is my order? &lt;!here&gt;" and first["username"] == "Ann <!channel> (customer)"
    assert not [t for m in fake.messages[general] for t in mrkdwn_texts(m) if "<!" in t or "<@" in t]

    # both ways: text and a file from the customer; text and a file from the CSR
    await customer.post("/messages", json={"text": "Order 42, <@U0BOSS> knows", "client_msg_id": "m-1"})
    await customer.post("/attachments", files={"file": ("photo.png", PNG, "image/png")})
    await fake.wait_for(lambda: any(u.get("thread_ts") == root for u in fake.uploads.values()))
    upload = next(u for u in fake.uploads.values() if u.get("thread_ts") == root)
    assert upload["data"] == PNG
    assert "Order 42, &lt;@U0BOSS&gt; knows" in [m["text"] for m in fake.thread(general, root)]
    await sender.thread_reply(csr, general, root, "Found it &amp; shipped it: <https://track.example/42|tracking>")
    shared = fake.user_file(b"%PDF-1.4 invoice", "invoice.pdf", "application/pdf")
    await sender.thread_reply(csr, general, root, "", files=[shared])
    await bridge.settle()
    seen = await customer.events()
    agent_texts = [e["text"] for e in seen if e["author"]["kind"] == "agent" and e["kind"] == "message"]
    assert "Found it & shipped it: tracking (https://track.example/42)" in agent_texts
    [pdf] = [a for e in seen for a in e["attachments"] if a["filename"] == "invoice.pdf"]
    assert await customer.download(pdf["url"]) == b"%PDF-1.4 invoice"
    assert not [m for m in fake.thread(general, root) if "Found it" in m["text"]], "never echoed into its own thread"

    # /csr transfer to the other CSR, who accepts on their own card; the header follows
    other_dm = f"D{other}"
    await sender.command(csr, "transfer @" + ("bob" if other == "UBOB" else "alice") + " needs a refund")
    await bridge.settle()
    transfer_card = await card_in(fake, other_dm)
    assert "needs a refund" in json.dumps(transfer_card["blocks"])
    await sender.block_action(other, "offer_accept", buttons(transfer_card)["offer_accept"]["value"],
                              channel=other_dm, message=transfer_card)
    other_name = "Bob" if other == "UBOB" else "Alice"
    await fake.wait_for(lambda: other_name in json.dumps(fake.message(general, root)["blocks"]))
    assert not buttons(fake.message(other_dm, transfer_card["ts"]))

    # /csr end by the new owner: the header loses its buttons, the thread and the customer hear of it
    await sender.command(other, "end")
    await fake.wait_for(lambda: "chat_action:end" not in buttons(fake.message(general, root)))
    await bridge.settle()
    assert "Ended" in json.dumps(fake.message(general, root)["blocks"])
    assert any(":checkered_flag:" in m["text"] for m in fake.thread(general, root))
    assert "closed" in [e["kind"] for e in await customer.events()]
    assert {m["thread_ts"] for m in fake.thread(general, root)} == {root}, "every post went to the root"
    assert fake.calls_to("chat.postMessage", ok=False) == []
    await customer.close()
