"""Transfers to a CSR (stays with the owner until they accept) and back to a queue; ending a chat."""

from bridge.app import BridgeApp
from bridge.commands.replies import Text
from bridge.domain.chat import Chat, ChatState
from bridge.domain.events import EventKind
from bridge.domain.offer import OfferState
from tests.routing.helpers import available, chat, escalated, expire_now, only_offer, run, signed_in


async def active_with(app: BridgeApp, agent_id: str, name: str = "Ann", queue: str = "general") -> Chat:
    await available(app, agent_id)
    c = await escalated(app, queue=queue, name=name)
    await app.router.accept((await only_offer(app, agent_id)).id, app.agent(agent_id), "test")
    return await chat(app, c.id)


def reply_text(reply: object) -> str:
    assert isinstance(reply, Text), reply
    return reply.text


async def test_transfer_to_a_csr_who_accepts_moves_the_chat_with_note_and_history(app: BridgeApp) -> None:
    c = await active_with(app, "alice")
    await app.service.customer_message(c.id, "still there?")
    await available(app, "bob")
    reply = await run(app, "alice", 'csr transfer @bob "needs a refund"', chat_id=c.id)
    assert reply_text(reply) == "Offered the chat with Ann to Bob; it stays with you until they accept."
    offer = await only_offer(app, "bob")
    assert (offer.transfer_from, offer.note) == ("alice", "needs a refund")
    assert (await chat(app, c.id)).agent_id == "alice", "still alice's until Bob accepts"

    accepted = await run(app, "bob", f"csr accept {offer.id}", platform="matrix")
    assert reply_text(accepted).startswith("You got the chat with Ann from Alice.")
    after = await chat(app, c.id)
    assert (after.state, after.agent_id, after.platform) == (ChatState.ACTIVE, "bob", "matrix")
    assert await app.router.agent_chat_ids("alice") == [] and await app.router.agent_chat_ids("bob") == [c.id]
    assert (await app.router.state.agent("alice")).load == 0
    events = await app.stream.read_all(c.id)
    note = next(e for e in events if e.kind == EventKind.NOTE)
    assert note.text == "needs a refund" and note.internal and note.author.id == "alice"
    assert events[-1].kind == EventKind.ACCEPTED and events[-1].data["agent_name"] == "Bob"
    assert EventKind.TRANSFERRED in [e.kind for e in events]
    told = await app.redis.xrange(app.keys.notices)
    assert [(n[1]["agent"], n[1]["text"]) for n in told] == [("alice", "Bob took over the chat with Ann.")]


async def test_a_declined_transfer_stays_with_the_owner_who_is_told(app: BridgeApp) -> None:
    c = await active_with(app, "alice")
    await available(app, "bob")
    await run(app, "alice", "csr transfer @bob", chat_id=c.id)
    offer = await only_offer(app, "bob")
    assert reply_text(await run(app, "bob", f"csr decline {offer.id}")) == "Declined. The chat stays with Alice."
    after = await chat(app, c.id)
    assert (after.state, after.agent_id) == (ChatState.ACTIVE, "alice")
    [notice] = await app.redis.xrange(app.keys.notices)
    assert notice[1]["text"] == "Bob declined your transfer of the chat with Ann; the chat stays with you."


async def test_a_missed_transfer_stays_with_the_owner_who_is_told(app: BridgeApp) -> None:
    c = await active_with(app, "alice")
    await available(app, "bob")
    await run(app, "alice", "csr transfer @bob", chat_id=c.id)
    offer = await only_offer(app, "bob")
    assert await expire_now(app, offer) == "expired"
    assert (await chat(app, c.id)).agent_id == "alice"
    [notice] = await app.redis.xrange(app.keys.notices)
    assert notice[1] == {**notice[1], "agent": "alice",
                         "text": "Bob did not answer your transfer of the chat with Ann; the chat stays with you."}


async def test_transfer_refusals(app: BridgeApp) -> None:
    c = await active_with(app, "alice")
    assert "is offline" in reply_text(await run(app, "alice", "csr transfer @bob", chat_id=c.id))
    assert "neither a CSR" in reply_text(await run(app, "alice", "csr transfer @nobody", chat_id=c.id))
    assert reply_text(await run(app, "bob", f"csr transfer {c.id} @carol")) == "That chat is not yours."
    await available(app, "bob")
    await run(app, "alice", "csr transfer @bob", chat_id=c.id)
    assert "already waiting" in reply_text(await run(app, "alice", "csr transfer @bob", chat_id=c.id))


async def test_transfer_to_a_full_csr_is_refused(app: BridgeApp) -> None:
    c = await active_with(app, "alice")
    await available(app, "bob")
    for name in ("B1", "B2"):
        x = await escalated(app, queue="tech", name=name)
        await app.router.accept((await only_offer(app, "bob")).id, app.agent("bob"), "test")
        assert (await chat(app, x.id)).agent_id == "bob"
    assert reply_text(await run(app, "alice", "csr transfer @bob", chat_id=c.id)) == \
        "Bob has no room for another chat right now."


async def test_a_supervisor_may_transfer_someone_elses_chat(app: BridgeApp) -> None:
    c = await active_with(app, "alice")
    await available(app, "bob")
    reply = await run(app, "sam", f"csr transfer {c.id} @bob please take over")
    assert reply_text(reply).startswith("Offered the chat with Ann to Bob")
    offer = await only_offer(app, "bob")
    assert (offer.transfer_from, offer.note) == ("alice", "please take over")


async def test_transfer_to_a_queue_routes_it_again_and_the_note_follows(app: BridgeApp) -> None:
    c = await active_with(app, "alice")
    await signed_in(app, "bob")
    reply = await run(app, "alice", 'csr transfer tech "printer on fire"', chat_id=c.id)
    assert reply_text(reply) == "The chat with Ann goes back into routing for Tech support."
    waiting = await chat(app, c.id)
    assert (waiting.state, waiting.queue, waiting.agent_id) == (ChatState.WAITING, "tech", "")
    assert (await app.router.state.agent("alice")).load == 0
    await available(app, "bob")
    offer = await only_offer(app, "bob")
    assert offer.note == "printer on fire"
    await app.router.accept(offer.id, app.agent("bob"), "test")
    events = await app.stream.read_all(c.id)
    assert [e.text for e in events if e.kind == EventKind.NOTE] == ["printer on fire"]
    transferred = next(e for e in events if e.kind == EventKind.TRANSFERRED)
    assert transferred.customer_visible and "printer" not in transferred.model_dump_json()


async def test_transfer_back_to_the_same_queue_gives_others_the_first_turn(app: BridgeApp) -> None:
    c = await active_with(app, "alice")
    await available(app, "carol")
    await run(app, "alice", "csr transfer general", chat_id=c.id)
    assert (await only_offer(app, "carol")).chat_id == c.id


async def test_closing_withdraws_pending_offers(app: BridgeApp) -> None:
    await available(app, "alice")
    c = await escalated(app)
    offer = await only_offer(app, "alice")
    await app.service.close(c.id, reason="customer_ended", by="customer")
    assert (await app.router.state.offer(offer.id)).state == OfferState.WITHDRAWN
    assert (await app.router.state.agent("alice")).pending == 0
    closed = await chat(app, c.id)
    assert closed.state == ChatState.CLOSED and closed.close_reason == "customer_ended"
    assert (await app.stream.read_all(c.id))[-1].data == {"reason": "customer_ended", "by": "customer",
                                                         "agent_id": ""}
    assert (await app.router.close_chat(c.id, "again", "x")).status == "already"
