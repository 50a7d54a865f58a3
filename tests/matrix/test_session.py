"""The bot's session: one device across restarts, rooms joined, invites from the roster only."""

import asyncio
from typing import Any

from nio import AsyncClient

from adapters.matrix.lanes import Lane
from adapters.matrix.outbox import Outbox, OutboxEntry
from bridge.keys import Keys
from testkit.configs import merged
from testkit.homeserver import Homeserver
from testkit.matrix_people import MatrixPerson, body
from tests.matrix.bridge import InProcessBridge, StartBridge


async def test_restart_reuses_the_device_and_token(start_bridge: StartBridge, redis: Any,
                                                   matrix_overrides: dict[str, Any]) -> None:
    first = await start_bridge(matrix_overrides)
    await first.leading()
    state = await redis.hgetall("csr:adapter:matrix")
    assert state["device_id"] and state["access_token"] and state["next_batch"]
    await first.stop()

    second = await start_bridge(matrix_overrides)
    await second.leading()
    again = await redis.hgetall("csr:adapter:matrix")
    assert (again["device_id"], again["access_token"]) == (state["device_id"], state["access_token"])
    assert second.adapter.client.device_id == state["device_id"]


async def test_joins_every_queue_room(bridge: InProcessBridge, homeserver: Homeserver) -> None:
    await bridge.leading()
    assert bridge.adapter.session.queue_rooms == {q: (homeserver.rooms[q],) for q in ("general", "billing", "tech")}
    assert bridge.adapter.session.supervisors_room == homeserver.rooms["supervisors"]
    ok, detail = await bridge.adapter.ready()
    assert ok, detail


async def test_invites_are_accepted_only_from_roster_users(bridge: InProcessBridge, homeserver: Homeserver) -> None:
    await bridge.leading()
    bot = homeserver.user_id("csrbot")
    from_alice = homeserver.synapse.create_room("alice", "alice's room", invite=["csrbot"])
    from_mallory = homeserver.synapse.create_room("mallory", "mallory's room", invite=["csrbot"])

    def bot_membership(room: str, as_user: str) -> str:
        state = homeserver.synapse.call("GET", f"/_matrix/client/v3/rooms/{room}/state", as_user)
        return next((e["content"]["membership"] for e in state
                     if e.get("type") == "m.room.member" and e.get("state_key") == bot), "")

    async with asyncio.timeout(20):
        while bot_membership(from_alice, "alice") != "join" or bot_membership(from_mallory, "mallory") != "leave":
            await asyncio.sleep(0.2)


async def test_an_access_token_instead_of_a_password(start_bridge: StartBridge, redis: Any,
                                                     homeserver: Homeserver, matrix_overrides: dict[str, Any]) -> None:
    overrides = merged(matrix_overrides, {"matrix": {"password": "", "access_token": homeserver.token("csrbot")}})
    bridge = await start_bridge(overrides)
    await bridge.leading()
    state = await redis.hgetall("csr:adapter:matrix")
    assert state["access_token"] == homeserver.token("csrbot") and state["device_id"]


async def test_a_post_sent_just_before_a_crash_is_not_sent_again(
        start_bridge: StartBridge, redis: Any, homeserver: Homeserver, matrix_overrides: dict[str, Any],
        people: dict[str, MatrixPerson]) -> None:
    sam, room = people["sam"], homeserver.rooms["supervisors"]
    first = await start_bridge(matrix_overrides)
    await first.leading()
    await first.stop()

    # What a crash between the homeserver's answer and `done` leaves behind: a batch in flight, already posted.
    outbox = Outbox(redis, Keys())
    await outbox.put(room, OutboxEntry(key="once", content={"msgtype": "m.notice", "body": "only once"}))
    batch = await outbox.take(Lane(room))
    assert batch is not None
    state = await redis.hgetall("csr:adapter:matrix")
    client = AsyncClient(homeserver.url, homeserver.user_id("csrbot"))
    client.restore_login(homeserver.user_id("csrbot"), state["device_id"], state["access_token"])
    sent = await client.room_send(room, "m.room.message", batch.entries[0].content or {}, tx_id=batch.tx_id)
    await client.close()

    await start_bridge(matrix_overrides)  # a second bridge on the same Redis
    async with asyncio.timeout(20):
        while await outbox.pending(room):
            await asyncio.sleep(0.05)
    marker = await sam.send(room, "after")
    await sam.wait_for(lambda e: e.get("event_id") == marker)
    posts = [e for e in sam.events if sam.from_bot(room)(e) and body(e) == "only once"]
    assert [p["event_id"] for p in posts] == [sent.event_id]


async def test_a_wrong_password_shows_on_readyz(start_bridge: StartBridge, matrix_overrides: dict[str, Any]) -> None:
    bridge = await start_bridge(merged(matrix_overrides, {"matrix": {"password": "not-the-password"}}))
    async with asyncio.timeout(20):
        while "M_FORBIDDEN" not in (await bridge.adapter.ready())[1]:
            await asyncio.sleep(0.1)
    ok, detail = await bridge.adapter.ready()
    assert not ok and "matrix.user_id and its password" in detail
