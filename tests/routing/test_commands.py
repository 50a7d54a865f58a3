"""The routing commands as CSRs run them (adapters turn buttons and reactions into the same text)."""

from bridge.app import BridgeApp
from bridge.commands.replies import Choices, Text
from bridge.domain.chat import ChatState
from testkit.configs import base_raw
from tests.routing.helpers import all_offers, app_with, available, chat, escalated, only_offer, run, signed_in


def text(reply: object) -> str:
    assert isinstance(reply, (Text, Choices)), reply
    return reply.text


async def test_presence_commands_and_status(app: BridgeApp) -> None:
    assert "You are available for General, Billing, with 0 of 2 chats open" in text(await run(app, "alice",
                                                                                               "csr available"))
    status = await run(app, "alice", "csr status")
    assert isinstance(status, Choices) and [a.command for a in status.actions] == ["csr away", "csr offline"]
    assert text(await run(app, "alice", "csr away")).startswith("You are away")
    assert text(await run(app, "alice", "!csr offline")).startswith("You are offline")


async def test_join_and_leave_within_the_roster(app: BridgeApp) -> None:
    await run(app, "alice", "csr available")
    left = await run(app, "alice", "csr leave billing")
    assert text(left).startswith("You left Billing")
    assert (await app.router.state.agent("alice")).queues == ("general",)
    assert "already" not in text(await run(app, "alice", "csr join billing"))
    assert text(await run(app, "alice", "csr join billing")) == "You are already in Billing."
    refused = await run(app, "alice", "csr join tech")
    assert isinstance(refused, Text) and refused.error and "roster does not list you" in refused.text
    unknown = await run(app, "alice", "csr join nowhere")
    assert isinstance(unknown, Text) and unknown.error and "no queue `nowhere`" in unknown.text


async def test_leaving_a_queue_stops_its_offers_and_joining_brings_them(app: BridgeApp) -> None:
    await run(app, "alice", "csr available")
    await run(app, "alice", "csr leave billing")
    await signed_in(app, "carol")
    c = await escalated(app, queue="billing")
    assert (await chat(app, c.id)).state == ChatState.WAITING
    await run(app, "alice", "csr join billing")
    assert (await only_offer(app, "alice")).chat_id == c.id


async def test_skills_needed_to_join(tmp_path, redis, redis_url) -> None:
    agents = base_raw()["agents"]
    agents[0] = {**agents[0], "queues": ["general", "billing", "tech"]}
    app = app_with(tmp_path, redis, redis_url, agents=agents)
    reply = await run(app, "alice", "csr join tech")
    assert isinstance(reply, Text) and reply.error and "needs the skill(s) tech" in reply.text


async def test_accept_and_the_replies_for_every_outcome(app: BridgeApp) -> None:
    await available(app, "alice", "bob", "carol")
    c = await escalated(app, name="Ann")
    [offer] = await all_offers(app, c.id)
    who = offer.agent_id
    other = next(a for a in ("alice", "bob", "carol") if a != who)
    assert text(await run(app, other, f"csr accept {offer.id}")) == "That offer was made to someone else."
    assert text(await run(app, who, f"csr accept {offer.id}")) == "You got the chat with Ann."
    assert text(await run(app, who, f"csr accept {offer.id}")) == "You accepted that offer already."
    assert text(await run(app, who, "csr accept of999")) == "There is no offer `of999`."
    assert (await chat(app, offer.chat_id)).platform == "test"


async def test_accept_on_a_csrs_only_platform(app: BridgeApp, tmp_path, redis, redis_url) -> None:
    agents = base_raw()["agents"]
    agents[0] = {**agents[0], "matrix_user_id": ""}
    app = app_with(tmp_path, redis, redis_url, agents=agents)
    await available(app, "alice")
    c = await escalated(app)
    await run(app, "alice", f"csr accept {(await only_offer(app, 'alice')).id}", platform="cli")
    assert (await chat(app, c.id)).platform == "slack"


async def test_decline_reply(app: BridgeApp) -> None:
    await available(app, "alice")
    await escalated(app)
    offer = await only_offer(app, "alice")
    assert text(await run(app, "alice", f"csr decline {offer.id}")) == "Declined. The chat goes to the next CSR."
    assert text(await run(app, "alice", f"csr decline {offer.id}")) == "You declined that offer already."


async def test_too_late_when_another_csr_took_a_broadcast(tmp_path, redis, redis_url) -> None:
    queues = base_raw()["queues"]
    queues[0] = {**queues[0], "strategy": "broadcast"}
    app = app_with(tmp_path, redis, redis_url, queues=queues)
    await available(app, "alice", "bob")
    await escalated(app, name="Ann")
    a, b = await only_offer(app, "alice"), await only_offer(app, "bob")
    assert text(await run(app, "bob", f"csr accept {b.id}")) == "You got the chat with Ann."
    assert text(await run(app, "alice", f"csr accept {a.id}")) == "Too late: Bob took it."


async def test_expired_reply(app: BridgeApp) -> None:
    await available(app, "alice")
    await escalated(app)
    offer = await only_offer(app, "alice")
    app.router.clock = lambda: offer.deadline + 1
    assert text(await run(app, "alice", f"csr accept {offer.id}")) == "That offer expired."


async def test_end_closes_the_chat_and_frees_the_slot(app: BridgeApp) -> None:
    await available(app, "alice")
    c = await escalated(app, name="Ann")
    await run(app, "alice", f"csr accept {(await only_offer(app, 'alice')).id}")
    assert text(await run(app, "bob", f"csr end {c.id}")) == "That chat is not yours."
    assert text(await run(app, "alice", "csr end")) == "The chat with Ann has ended."
    closed = await chat(app, c.id)
    assert closed.state == ChatState.CLOSED and closed.close_reason == "agent_ended"
    assert await app.router.agent_chat_ids("alice") == []
    assert c.id not in await app.chats.open_ids()
    assert (await app.router.state.agent("alice")).load == 0
