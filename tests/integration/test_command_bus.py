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


async def test_declared_arguments_are_checked_before_the_handler_runs(app: BridgeApp) -> None:
    ran: list[tuple[str, ...]] = []

    async def record(inv: Invocation) -> Reply:
        ran.append(inv.args)
        return Text("ran")

    app.commands.register([CommandSpec("give", "g", record, args=(
        Arg("@agent", ArgKind.AGENT), Arg("QUEUE", ArgKind.QUEUE), Arg("URL", ArgKind.URL),
        Arg("CHAT", ArgKind.CHAT, optional=True)))])
    chat = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "")
    cases = {
        "csr give @zed general https://example.com": "`@zed` is not on the roster.",
        "csr give <@UNOBODY> general https://example.com": "`<@UNOBODY>` is not on the roster.",
        "csr give @bob nowhere https://example.com": "There is no queue `nowhere`. Queues: general, billing, tech.",
        "csr give @bob general javascript:alert(1)": "`javascript:alert(1)` is not a web link (URL): give one that "
                                                     "starts with https:// or http://.",
        "csr give @bob general example.com": "`example.com` is not a web link (URL): give one that starts with "
                                             "https:// or http://.",
        "csr give @bob general https://example.com zzzzzz": "No chat `zzzzzz`. `csr chats` lists the open ones.",
    }
    for text, error in cases.items():
        assert await app.commands.run(text, ctx(app, "alice")) == Text(error, error=True), text
    assert ran == []
    ok = await app.commands.run(f"csr give bob GENERAL HTTPS://example.com {chat.id[:6]}", ctx(app, "alice"))
    assert ok == Text("ran") and ran == [("bob", "GENERAL", "HTTPS://example.com", chat.id[:6])]


async def test_usage_and_counts_come_from_the_declared_arguments(app: BridgeApp) -> None:
    bus = bus_with_extras(app)
    assert bus.specs["transfer"].usage == "csr transfer [chat] @agent|QUEUE [note]"
    assert bus.specs["report"].usage == "csr report [today|7d|30d] [QUEUE] [tag:TAG|outcome:OUTCOME]"
    assert (bus.specs["broadcast"].min_args, bus.specs["broadcast"].max_args) == (2, None)
    assert (bus.specs["presence"].min_args, bus.specs["presence"].max_args) == (2, 2)
    too_many = await bus.run("csr join general billing", ctx(app, "alice"))
    assert too_many == Text("Usage: `csr join QUEUE`", error=True)


async def test_real_commands_refuse_bad_arguments_clearly(app: BridgeApp) -> None:
    chat = await app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "")
    await app.redis.hset(app.keys.chat(chat.id), mapping={"state": ChatState.ACTIVE, "agent_id": "alice"})
    for who, text, error in [
        ("sam", "csr presence @zed away", "`@zed` is not on the roster."),
        ("sam", "csr broadcast nowhere hello", "There is no queue `nowhere`."),
        ("alice", "csr join nowhere", "There is no queue `nowhere`."),
        ("alice", f"csr push {chat.id} mailto:ann@example.com", "is not a web link (URL)"),
        ("sam", "csr monitor zzzzzz", "No chat `zzzzzz`."),
    ]:
        reply = await app.commands.run(text, ctx(app, who))
        assert isinstance(reply, Text) and reply.error and error in reply.text, (text, reply)
