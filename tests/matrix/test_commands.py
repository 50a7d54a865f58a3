"""`!csr` commands from Matrix: private replies in the caller's direct room, pages, strangers refused."""

from testkit.homeserver import Homeserver
from testkit.matrix_people import MatrixPerson, body
from tests.matrix.bridge import InProcessBridge
from tests.matrix.chats import hand_to, start_chat


async def test_a_long_reply_comes_privately_in_pages(bridge: InProcessBridge, homeserver: Homeserver,
                                                     people: dict[str, MatrixPerson]) -> None:
    alice = people["alice"]
    await bridge.leading()
    await alice.send(homeserver.rooms["general"], "!csr help")
    [page] = await alice.wait_for(lambda e: alice.from_bot()(e) and body(e).startswith("Commands you can run"))
    dm = page["room_id"]
    assert dm != homeserver.rooms["general"], "a private reply went to the shared room"
    assert page["content"]["msgtype"] == "m.notice"
    assert "<ul><li>" in page["content"]["formatted_body"]
    assert "send !more" in body(page)
    assert dm == await bridge.app.redis.hget("csr:adapter:matrix", f"dm:{alice.user_id}")

    await alice.send(dm, "!more")
    [second] = await alice.wait_for(lambda e: alice.from_bot(dm)(e) and "(2/" in body(e))
    assert "csr " in body(second)
    first_items = {line for line in body(page).splitlines() if line.startswith("• ")}
    second_items = {line for line in body(second).splitlines() if line.startswith("• ")}
    assert first_items and second_items and not first_items & second_items


async def test_someone_off_the_roster_is_told_so(bridge: InProcessBridge, homeserver: Homeserver,
                                                 people: dict[str, MatrixPerson]) -> None:
    alice, mallory = people["alice"], people["mallory"]
    await bridge.leading()
    room = homeserver.synapse.create_room("alice", "with a guest", invite=["csrbot", "mallory"])
    homeserver.synapse.join("mallory", room)
    mallory.accept_invites_from.add(alice.user_id)
    await mallory.wait_for(lambda e: e["room_id"] == room and e.get("type") == "m.room.member"
                           and e.get("state_key") == homeserver.user_id("csrbot")
                           and e["content"].get("membership") == "join")
    await mallory.send(room, "!csr status")
    [reply] = await mallory.wait_for(lambda e: mallory.from_bot(room)(e))
    assert "not on this team's roster" in body(reply)
    assert reply["content"]["msgtype"] == "m.notice"


async def test_edits_and_notices_are_not_commands(bridge: InProcessBridge, homeserver: Homeserver,
                                                  people: dict[str, MatrixPerson]) -> None:
    alice = people["alice"]
    await bridge.leading()
    room = homeserver.rooms["general"]
    first = await alice.send(room, "hello team")
    await alice.edit(room, first, "!csr help")
    await alice.send(room, "!csr help", extra={"msgtype": "m.notice"})
    await alice.send(room, "!csr status")
    [status] = await alice.wait_for(lambda e: alice.from_bot()(e) and "Commands you can run" not in body(e))
    helps = [e for e in alice.events if alice.from_bot()(e) and body(e).startswith("Commands you can run")]
    assert helps == [], "an edit or a notice was run as a command"
    assert status["content"]["msgtype"] == "m.notice" and status["room_id"] != room


async def test_cobrowse_is_a_command_on_matrix_too(bridge: InProcessBridge, homeserver: Homeserver,
                                                  people: dict[str, MatrixPerson]) -> None:
    alice = people["alice"]
    await bridge.leading()
    chat = await start_chat(bridge.app)
    await hand_to(bridge.app, chat.id, "alice")
    await alice.send(homeserver.rooms["general"], f"!csr cobrowse {chat.id}")
    [reply] = await alice.wait_for(lambda e: alice.from_bot()(e) and "Co-browse" in body(e))
    assert "Co-browse is turned off here (cobrowse.enabled in the config)." in body(reply)
