"""Without an admin's exemption the bot meets Synapse's default limit (0.2 messages/s, burst 10):
it paces, merges a customer's burst into one post, waits out M_LIMIT_EXCEEDED, and drops nothing."""

from typing import Any

import httpx

from testkit.homeserver import LIMITED_BOT, Homeserver
from testkit.matrix_people import MatrixPerson, body
from tests.matrix.bridge import StartBridge, matrix_raw
from tests.matrix.chats import hand_to, header_of, posted_lines, start_chat


async def spend_budget(hs: Homeserver, room: str) -> int:
    """Sends as the bot's account from elsewhere until the homeserver says M_LIMIT_EXCEEDED."""
    headers = {"Authorization": f"Bearer {hs.token(LIMITED_BOT)}"}
    async with httpx.AsyncClient(base_url=hs.url, headers=headers) as http:
        for n in range(50):
            resp = await http.put(f"/_matrix/client/v3/rooms/{room}/send/m.room.message/spend-{n}",
                                  json={"msgtype": "m.notice", "body": "elsewhere"})
            if resp.status_code == 429:
                assert resp.json()["errcode"] == "M_LIMIT_EXCEEDED"
                return n
    raise AssertionError("the homeserver never rate-limited the bot")


async def test_default_limits_pace_merge_and_keep_every_message(
        start_bridge: StartBridge, redis: Any, homeserver: Homeserver, people: dict[str, MatrixPerson]) -> None:
    alice, room = people["alice"], homeserver.rooms["general"]
    bridge = await start_bridge(matrix_raw(homeserver, bot=LIMITED_BOT, paced=True))
    await bridge.leading()
    app = bridge.app
    assert await spend_budget(homeserver, homeserver.rooms["supervisors"]) >= 1

    chat = await start_chat(app, first="one")
    words = ["one", "two", "three", "four", "five", "six"]
    for word in words[1:]:
        await app.service.customer_message(chat.id, word)
    await hand_to(app, chat.id, "alice")
    root = await header_of(alice, room, chat.id, LIMITED_BOT, timeout=60)
    in_thread = alice.from_bot(room, root, LIMITED_BOT)
    await alice.wait_for(lambda e: in_thread(e) and body(e).endswith("six"), timeout=60)

    posts = [e for e in alice.events if in_thread(e)]
    assert posted_lines(posts, "Ann") == words
    assert len(posts) < len(words), "a burst of one customer's messages should leave as fewer posts"
    assert bridge.adapter.pacer.limit_hits >= 1, "M_LIMIT_EXCEEDED was never met"
