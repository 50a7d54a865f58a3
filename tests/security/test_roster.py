"""Only roster CSRs act, and only on what is theirs: someone off the roster can't accept an offer (button,
command or reaction), answer a customer, press a chat's buttons or run any command; a roster CSR can't
take another CSR's offer or speak in their chat. Signed Slack requests against the real bridge, and the
core bus directly; each refusal leaves Redis as it was."""

import asyncio
import json

from adapters.slack.render.cards import CHAT_ACTIONS
from bridge.app import BridgeApp
from bridge.commands.context import CommandContext
from bridge.commands.replies import Text
from bridge.domain.chat import ChatState, Customer
from bridge.domain.events import EventKind
from bridge.domain.offer import OfferState
from testkit.fake_blocks import buttons
from tests.security.state import redis_state, settled_state
from tests.slack.bridge import InProcessBridge
from tests.slack.conftest import bridge, fake_slack, slack_settings  # noqa: F401 - fixtures
from tests.slack.helpers import accepted_chat

STRANGER = "UMALLORY"


def _said_to(fake, user: str) -> list[str]:  # noqa: ANN001
    """What the bridge told `user` privately: ephemeral posts and response_url replies."""
    return [m["text"] for m in fake.ephemerals if m["user"] == user] + [h.get("text", "") for h in fake.hooks]


async def test_offers_are_accepted_by_the_csr_they_were_made_to_only(bridge: InProcessBridge) -> None:  # noqa: F811
    fake, app = bridge.fake, bridge.app
    await bridge.sender.command("UALICE", "available")
    await bridge.settle()
    chat = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "Hi")
    await app.service.escalate(chat.id)
    card = await fake.wait_for(lambda: next((m for m in fake.messages["DUALICE"] if "offer_accept" in buttons(m)),
                                            None))
    offer_id = buttons(card)["offer_accept"]["value"]
    while not await app.redis.exists(app.keys.offer_cards(offer_id)):  # the presenter notes the card it posted
        await asyncio.sleep(0.02)
    await bridge.settle()
    before = await redis_state(app.redis)
    for user in (STRANGER, "UBOB"):
        await bridge.sender.block_action(user, "offer_accept", offer_id, channel="DUALICE", message=card)
        await bridge.sender.command(user, f"accept {offer_id}")
        reaction = {"type": "reaction_added", "user": user, "reaction": "white_check_mark",
                    "item": {"type": "message", "channel": "DUALICE", "ts": card["ts"]}, "event_ts": fake.new_ts()}
        assert (await bridge.sender.event(reaction)).status_code == 200
        await bridge.sender.block_action(user, "offer_decline", offer_id, channel="DUALICE", message=card)
    await bridge.settle()
    assert (await app.router.state.offer(offer_id)).state == OfferState.PENDING
    assert (await app.chats.get(chat.id)).state != ChatState.ACTIVE
    assert await redis_state(app.redis) == before
    replies = " ".join(h.get("text", "") for h in fake.hooks)
    assert "not on this team's roster" in replies and "made to someone else" in replies


async def test_only_the_chats_csr_reaches_the_customer(bridge: InProcessBridge) -> None:  # noqa: F811
    fake, app = bridge.fake, bridge.app
    chat, channel, root = await accepted_chat(bridge)
    await bridge.settle()
    before = [e.id for e in await app.stream.read_all(chat.id)]
    await bridge.sender.thread_reply(STRANGER, channel, root, "hello from mallory")
    await bridge.sender.thread_reply(STRANGER, channel, root, "// a note from mallory")
    await bridge.sender.thread_reply("UBOB", channel, root, "hello from bob")
    await bridge.sender.thread_reply("UALICE", channel, root, "hello from alice")
    await bridge.settle()
    added = [e for e in await app.stream.read_all(chat.id) if e.id not in before]
    assert [(e.kind, e.text) for e in added if e.kind in (EventKind.MESSAGE, EventKind.NOTE)] == \
        [(EventKind.MESSAGE, "hello from alice")]
    told = {m["user"]: m["text"] for m in fake.ephemerals}
    assert "roster" in told[STRANGER] and "another CSR" in told["UBOB"]


async def test_a_stranger_cannot_press_a_chats_buttons_or_submit_its_forms(
        bridge: InProcessBridge) -> None:  # noqa: F811
    fake, app = bridge.fake, bridge.app
    chat, channel, root = await accepted_chat(bridge)
    await bridge.settle()
    header = fake.message(channel, root)
    before = await settled_state(app.redis, bridge.settle)
    views = len(fake.views)
    for name, _ in CHAT_ACTIONS:
        await bridge.sender.block_action(STRANGER, f"chat_action:{name}", chat.id, channel=channel, message=header)
    await bridge.sender.message_shortcut(STRANGER, channel, header)
    for action, values in (("end", {}), ("transfer", {"target": {"selected": "queue:billing"}}),
                           ("push", {"url": "https://example.com/x"})):
        forged = {"type": "modal", "callback_id": "chat_action_modal", "id": "VFORGED",
                  "private_metadata": json.dumps({"action": action, "chat_id": chat.id, "channel": channel,
                                                  "thread": root})}
        await bridge.sender.view_submission(STRANGER, forged, values)
    await bridge.settle()
    assert len(fake.views) == views, "no modal opened for a stranger"
    assert (await app.chats.get(chat.id)).state == ChatState.ACTIVE
    assert await settled_state(app.redis, bridge.settle) == before
    assert "roster" in " ".join(_said_to(fake, STRANGER))


async def test_no_command_runs_for_someone_off_the_roster(app: BridgeApp) -> None:
    chat = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "Hi")
    await app.redis.hset(app.keys.chat(chat.id), mapping={"state": ChatState.ACTIVE, "agent_id": "alice"})
    before = await redis_state(app.redis)
    for spec in app.commands.specs.values():
        for name in (spec.name, *spec.aliases):
            for ctx in (CommandContext("slack", STRANGER, None), CommandContext("matrix", "@mallory:x", None, chat.id)):
                reply = await app.commands.run(f"csr {name} {chat.id} general @bob hello", ctx)
                assert isinstance(reply, Text) and reply.error and "roster" in reply.text, (name, reply)
    assert await redis_state(app.redis) == before
