"""The bot's session: one device across restarts, rooms joined, invites from the roster only."""

import asyncio
from pathlib import Path
from typing import Any

from tests.matrix.bridge import InProcessBridge
from tests.matrix.homeserver import Homeserver


async def test_restart_reuses_the_device_and_token(tmp_path: Path, redis_url: str, redis: Any,
                                                   matrix_overrides: dict[str, Any]) -> None:
    first = InProcessBridge(tmp_path, redis_url, matrix_overrides)
    await first.start()
    await first.leading()
    state = await redis.hgetall("csr:adapter:matrix")
    assert state["device_id"] and state["access_token"] and state["next_batch"]
    await first.stop()

    second = InProcessBridge(tmp_path, redis_url, matrix_overrides)
    await second.start()
    await second.leading()
    again = await redis.hgetall("csr:adapter:matrix")
    assert (again["device_id"], again["access_token"]) == (state["device_id"], state["access_token"])
    assert second.adapter.client.device_id == state["device_id"]
    await second.stop()


async def test_joins_every_queue_room(bridge: InProcessBridge, homeserver: Homeserver) -> None:
    await bridge.leading()
    assert bridge.adapter.session.queue_rooms == {q: homeserver.rooms[q] for q in ("general", "billing", "tech")}
    assert bridge.adapter.session.supervisors_room == homeserver.rooms["supervisors"]
    ok, detail = await bridge.adapter.ready()
    assert ok, detail


async def test_invites_are_accepted_only_from_roster_users(bridge: InProcessBridge, homeserver: Homeserver) -> None:
    await bridge.leading()
    bot = homeserver.user_id("csrbot")
    from_alice = homeserver.synapse.create_room("alice", "alice's room", invite=["csrbot"])
    from_mallory = homeserver.synapse.create_room("mallory", "mallory's room", invite=["csrbot"])

    def bot_membership(room: str, as_user: str) -> str:
        state = homeserver.synapse.api("GET", f"/_matrix/client/v3/rooms/{room}/state", as_user)
        return next((e["content"]["membership"] for e in state
                     if e.get("type") == "m.room.member" and e.get("state_key") == bot), "")

    async with asyncio.timeout(20):
        while bot_membership(from_alice, "alice") != "join" or bot_membership(from_mallory, "mallory") != "leave":
            await asyncio.sleep(0.2)
