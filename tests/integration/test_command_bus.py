"""The command bus: roles from the roster, chat resolution, usage replies."""

from bridge.app import BridgeApp
from bridge.commands.bus import CommandBus
from bridge.commands.context import CommandContext
from bridge.commands.registry import Arg, ArgKind, ChatArg, CommandSpec, Invocation
from bridge.commands.replies import ItemList, Reply, Text
from bridge.domain.agent import Role
from bridge.domain.chat import ChatState, Customer


def ctx(app: BridgeApp, agent_id: str | None, chat_id: str = "") -> CommandContext:
    agent = app.agent(agent_id) if agent_id else None
    return CommandContext(platform="matrix", user_id=f"@{agent_id}:localhost", agent=agent, chat_id=chat_id)


async def echo_chat(inv: Invocation) -> Reply:
    assert inv.chat is not None
    return Text(f"{inv.chat.id}|{'/'.join(inv.args)}")


async def secret(inv: Invocation) -> Reply:
    return Text("for supervisors")


def bus_with_extras(app: BridgeApp) -> CommandBus:
    app.commands.register([
        CommandSpec("echo", "echo", echo_chat, args=(Arg("ARGS", ArgKind.TEXT, rest=True),), chat=ChatArg.NAMED),
        CommandSpec("secret", "s", secret, args=(Arg("ANY", optional=True, rest=True),), role=Role.SUPERVISOR),
    ])
    return app.commands


async def test_help_lists_only_what_the_caller_may_run(app: BridgeApp) -> None:
    bus = bus_with_extras(app)
    csr_help = await bus.run("csr help", ctx(app, "alice"))
    sup_help = await bus.run("csr help", ctx(app, "sam"))
    assert isinstance(csr_help, ItemList) and isinstance(sup_help, ItemList)
    assert not any("secret" in i.title for i in csr_help.items)
    assert any("secret" in i.title for i in sup_help.items)


async def test_role_and_roster_are_enforced(app: BridgeApp) -> None:
    bus = bus_with_extras(app)
    refused = await bus.run("csr secret", ctx(app, "alice"))
    assert isinstance(refused, Text) and refused.error and "supervisor" in refused.text
    stranger = await bus.run("csr help", ctx(app, None))
    assert isinstance(stranger, Text) and stranger.error and "roster" in stranger.text
    allowed = await bus.run("csr secret", ctx(app, "sam"))
    assert allowed == Text("for supervisors")


async def test_unknown_command_and_bad_usage(app: BridgeApp) -> None:
    bus = bus_with_extras(app)
    unknown = await bus.run("csr frobnicate", ctx(app, "alice"))
    assert isinstance(unknown, Text) and "Unknown command `frobnicate`" in unknown.text
    usage = await bus.run("csr secret extra", ctx(app, "sam"))
    assert usage == Text("for supervisors")  # max_args None: extras ignored by that handler
    chat = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "")
    missing = await bus.run(f"csr echo {chat.id}", ctx(app, "alice"))
    assert isinstance(missing, Text) and missing.text == "Usage: `csr echo [chat] ARGS`"


async def test_chat_comes_from_thread_or_leading_id(app: BridgeApp) -> None:
    bus = bus_with_extras(app)
    chat = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "")
    await app.redis.hset(app.keys.chat(chat.id), mapping={"state": ChatState.ACTIVE, "agent_id": "alice"})
    in_thread = await bus.run("csr echo a b", ctx(app, "alice", chat_id=chat.id))
    assert in_thread == Text(f"{chat.id}|a/b")
    by_prefix = await bus.run(f"csr echo {chat.id[:6]} a", ctx(app, "alice"))
    assert by_prefix == Text(f"{chat.id}|a")
