"""Stepping in: reassign to a CSR or a queue, set a CSR's presence, broadcast to a queue."""

from pathlib import Path

from redis.asyncio import Redis

from bridge.app import BridgeApp
from bridge.commands.replies import Text
from bridge.domain.agent import Presence
from bridge.domain.chat import ChatState
from tests.routing.helpers import SLACK_ON, available, escalated, kinds, only_offer, signed_in, with_clock
from tests.supervision.helpers import boot, both, refusal, roster, run


async def notices(app: BridgeApp) -> list[tuple[str, str]]:
    return [(f["agent"], f["text"]) for _, f in await app.redis.xrange(app.keys.notices)]


def ok(reply: object, words: str) -> None:
    assert isinstance(reply, Text) and not reply.error, reply
    slack, matrix = both(reply)
    assert words in reply.text and words in matrix and words in slack


async def test_a_waiting_chat_goes_straight_to_a_csr(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url)
    clock = with_clock(app)
    await app.router.set_presence(app.agent("bob"), Presence.AWAY)
    chat = await escalated(app, queue="general", name="Ann")
    clock.tick(42)
    refusal(await run(app, "sam", f"csr reassign {chat.id} @carol"), "Carol is offline")
    ok(await run(app, "sam", f"csr reassign {chat.id} @bob"), "Bob has the chat with Ann now; they were told.")
    after = await app.chats.get(chat.id)
    assert after.state == ChatState.ACTIVE and after.agent_id == "bob"
    assert await app.router.agent_chat_ids("bob") == [chat.id]
    assert chat.id not in await app.router.state.waiting("general")
    accepted = [e for e in await app.stream.read_all(chat.id) if e.kind == "accepted"][-1]
    assert accepted.data["waited"] == 42 and accepted.data["assigned_by"] == "sam"
    assert ("bob", "Sam gave you the chat with Ann.") in await notices(app)
    refusal(await run(app, "sam", f"csr reassign {chat.id} @bob"), "The chat is already with Bob.")


async def test_an_active_chat_changes_hands(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url)
    await available(app, "alice")
    chat = await escalated(app, queue="general", name="Ann")
    await run(app, "alice", f"csr accept {(await only_offer(app, 'alice')).id}")
    await app.router.set_presence(app.agent("carol"), Presence.AWAY)
    ok(await run(app, "ada", f"csr reassign {chat.id} carol", platform="matrix"),
       "Carol has the chat with Ann now, taken from Alice; both were told.")
    after = await app.chats.get(chat.id)
    assert after.agent_id == "carol" and after.state == ChatState.ACTIVE
    assert (await app.router.state.agent("alice")).load == 0 and (await app.router.state.agent("carol")).load == 1
    assert (await kinds(app, chat.id))[-2:] == ["transferred", "accepted"]
    assert ("alice", "Ada reassigned your chat with Ann to Carol.") in await notices(app)


async def test_refusals_say_why(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url, agents=[*_roster(capacity_of_bob=1)])
    await signed_in(app, "alice", "bob")
    first = await escalated(app, queue="general", name="Ann")
    second = await escalated(app, queue="general", name="Ben")
    billing = await escalated(app, queue="billing", name="Bea")
    await run(app, "sam", f"csr reassign {first.id} @bob")
    refusal(await run(app, "sam", f"csr reassign {second.id} @bob"), "Bob has no room: 1 of 1 chats open.")
    refusal(await run(app, "sam", f"csr reassign {billing.id} @bob"), "Bob is not on the roster (or lacks the skills)")
    refusal(await run(app, "sam", f"csr reassign {second.id} general"), "That chat is already waiting in General.")
    refusal(await run(app, "sam", f"csr reassign {second.id} @nobody"), "`@nobody` is not on the roster.")
    refusal(await run(app, "sam", "csr reassign zzzzzz @bob"), "No chat `zzzzzz`.")
    await app.router.close_chat(second.id, "customer_ended", "customer")
    refusal(await run(app, "sam", f"csr reassign {second.id} @alice"), "Only a waiting or active chat")


async def test_a_waiting_chat_moves_to_another_queue_keeping_its_place(tmp_path: Path, redis: Redis,
                                                                       redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url)
    clock = with_clock(app)
    await signed_in(app, "carol")
    early = await escalated(app, queue="general", name="Early")
    clock.tick(10)
    later = await escalated(app, queue="tech", name="Later")
    clock.tick(10)
    ok(await run(app, "sam", f"csr reassign {early.id} tech"), "The chat with Early now waits in Tech support.")
    assert await app.router.state.waiting("tech") == [early.id, later.id]
    moved = await app.chats.get(early.id)
    assert moved.queue == "tech" and moved.state == ChatState.WAITING
    transferred = [e for e in await app.stream.read_all(early.id) if e.kind == "transferred"][-1]
    assert transferred.data == {"from_queue": "general", "to_queue": "tech", "by": "sam"}
    assert transferred.customer_visible and "Tech support" in transferred.text


async def test_an_active_chat_goes_back_to_routing_in_a_queue(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url)
    await available(app, "alice")
    chat = await escalated(app, queue="general", name="Ann")
    await run(app, "alice", f"csr accept {(await only_offer(app, 'alice')).id}")
    await app.router.set_presence(app.agent("alice"), Presence.AWAY)
    ok(await run(app, "sam", f"csr reassign {chat.id} billing"), "now waits in Billing")
    after = await app.chats.get(chat.id)
    assert after.state == ChatState.WAITING and after.queue == "billing" and after.agent_id == ""
    assert (await app.router.state.agent("alice")).load == 0


async def test_presence_of_a_csr(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    agents = [*roster(), {"id": "dan", "display_name": "Dan", "queues": ["general"]}]
    app = boot(tmp_path, redis, redis_url, slack=SLACK_ON, agents=agents)
    await available(app, "bob")
    ok(await run(app, "sam", "csr presence @bob away"), "Bob is away now (was available); they were told.")
    assert (await app.router.state.agent("bob")).presence == Presence.AWAY
    assert ("bob", "Sam set you away. No new chats come to you; your open chats stay with you.") in await notices(app)
    ok(await run(app, "sam", "csr presence <@UBOB> away"), "Bob is away already.")
    ok(await run(app, "sam", "csr presence @bob:localhost available", platform="matrix"), "Bob is available now")
    refusal(await run(app, "sam", "csr presence @bob busy"), "Presence is available, away or offline.")
    refusal(await run(app, "sam", "csr presence @dan away"), "Dan has no account on an enabled platform")
    assert (await app.router.state.agent("dan")) is None, "never counted as someone who could come"


async def test_broadcast_reaches_every_csr_of_the_queue(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = boot(tmp_path, redis, redis_url)
    ok(await run(app, "sam", 'csr broadcast billing "Card payments are down, expect refund questions"'),
       "Sent to 2 of Billing: Alice, Carol.")
    sent = await notices(app)
    assert sorted(a for a, _ in sent) == ["alice", "carol"]
    assert {t for _, t in sent} == {"📣 Sam to Billing: Card payments are down, expect refund questions"}
    refusal(await run(app, "sam", "csr broadcast billing"), "Usage: `csr broadcast QUEUE TEXT`")
    refusal(await run(app, "sam", "csr broadcast billing " + "x" * 2001), "at most 2000 characters")


def _roster(capacity_of_bob: int) -> list[dict]:
    from tests.supervision.helpers import roster

    return [{**a, "capacity": capacity_of_bob} if a["id"] == "bob" else a for a in roster()]
