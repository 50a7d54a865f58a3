"""Every command above the CSR role refuses a CSR, from the core bus and from a signed Slack slash command,
whatever arguments it gets, and changes nothing. The list comes from the registry, so a supervisor
command added later is covered without touching this test."""

from bridge.app import BridgeApp
from bridge.commands.context import CommandContext
from bridge.commands.replies import Text
from bridge.domain.agent import Role
from bridge.domain.chat import ChatState, Customer
from tests.routing.helpers import available, escalated
from tests.security.state import redis_state
from tests.slack.bridge import InProcessBridge
from tests.slack.conftest import bridge, fake_slack, slack_settings  # noqa: F401 - fixtures

KNOWN = {"queues", "agents", "monitor", "reassign", "presence", "broadcast"}
"""Supervisor commands in the tree when this was written; the test fails if one loses its guard."""


def _guarded(app: BridgeApp) -> dict[str, str]:
    """Every name and alias of a command above the CSR role -> the role it needs."""
    return {name: spec.role for spec in app.commands.specs.values() if spec.role != Role.CSR
            for name in (spec.name, *spec.aliases)}


async def test_csrs_are_refused_every_supervisor_command(app: BridgeApp) -> None:
    guarded = _guarded(app)
    assert KNOWN <= set(guarded), f"supervisor commands without their guard: {KNOWN - set(guarded)}"
    await available(app, "alice", "bob")
    waiting = await escalated(app, name="Wes")
    mine = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "Hi")
    await app.redis.hset(app.keys.chat(mine.id), mapping={"state": ChatState.ACTIVE, "agent_id": "alice"})
    before = await redis_state(app.redis)
    arguments = ["", "general", f"{waiting.id} @alice", f"{mine.id} billing", "@bob away", "general hello all",
                 "7d general", mine.id]
    for name, role in guarded.items():
        for args in arguments:
            for chat_id in ("", mine.id):
                ctx = CommandContext("slack", "UALICE", app.agent("alice"), chat_id)
                reply = await app.commands.run(f"csr {name} {args}", ctx)
                assert isinstance(reply, Text) and reply.error, (name, args, reply)
                assert f"is for the {role} role" in reply.text, (name, args, reply)
    assert await redis_state(app.redis) == before


async def test_csrs_are_refused_them_from_slack_too(bridge: InProcessBridge) -> None:  # noqa: F811
    app, fake = bridge.app, bridge.fake
    guarded = _guarded(app)
    before = await redis_state(app.redis)
    for name in guarded:
        response = await bridge.sender.command("UBOB", f"{name} general @alice away")
        assert response.status_code == 200
    await bridge.settle()
    assert await redis_state(app.redis) == before
    answers = [h.get("text", "") for h in fake.hooks]
    assert len(answers) == len(guarded)
    assert all("role and up" in text for text in answers), answers
