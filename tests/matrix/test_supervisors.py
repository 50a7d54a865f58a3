"""Supervisors: reading along in a chat's room (already there, or invited), and replies that come later."""

from bridge.commands.replies import Text
from testkit.homeserver import Homeserver
from testkit.matrix_people import MatrixPerson, body, thread_of
from tests.matrix.bridge import InProcessBridge
from tests.matrix.chats import hand_to, start_chat


async def test_a_supervisor_outside_the_room_is_invited_to_read_along(
        bridge: InProcessBridge, homeserver: Homeserver, people: dict[str, MatrixPerson]) -> None:
    sam = people["sam"]
    room = homeserver.rooms["tech"]
    await bridge.leading()
    chat = await start_chat(bridge.app, first="my laptop", queue="tech")
    await hand_to(bridge.app, chat.id, "bob")
    await sam.client.room_leave(room)
    await sam.send(homeserver.rooms["supervisors"], f"!csr monitor {chat.id}")
    [reply] = await sam.wait_for(lambda e: sam.from_bot()(e) and "Reading along" in body(e))
    assert "invited to its room" in body(reply) and f"https://matrix.to/#/{room}/" in body(reply)

    await sam.wait_for(lambda e: e["room_id"] == room and e.get("type") == "m.room.member"
                       and e.get("state_key") == sam.user_id and e["content"].get("membership") == "join")
    await bridge.app.service.customer_message(chat.id, "it won't boot")
    [post] = await sam.wait_for(lambda e: sam.from_bot(room)(e) and body(e).endswith("it won't boot"))
    assert thread_of(post)


async def test_a_later_reply_reaches_the_dm_once(bridge: InProcessBridge, people: dict[str, MatrixPerson]) -> None:
    sam = people["sam"]
    await bridge.leading()
    agent = bridge.app.agent("sam")
    assert agent is not None
    for _ in range(2):
        await bridge.adapter.surface.send_reply(agent, Text("Your report is ready."), key="later.1-0")
    await bridge.adapter.surface.send_reply(agent, Text("Your second report is ready."), key="later.2-0")
    await sam.wait_for(lambda e: sam.from_bot()(e) and body(e) == "Your second report is ready.")
    assert len([e for e in sam.events if sam.from_bot()(e) and body(e) == "Your report is ready."]) == 1
