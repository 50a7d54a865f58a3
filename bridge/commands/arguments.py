"""What a declared argument may be: roster entries, queues, chats and links, each found or refused here.

The bus checks every argument a spec declares before its handler runs, so a handler gets a queue that
exists and an agent on the roster, and a mistake comes back as a sentence that names what was wrong.
"""

from collections.abc import Awaitable, Callable

from bridge.commands.registry import Arg, ArgKind
from bridge.config.agents import AgentConfig
from bridge.config.root import BridgeConfig
from bridge.domain.chat import Chat
from bridge.domain.tags import shown

FindChat = Callable[[str], Awaitable[Chat | None]]


def find_agent(config: BridgeConfig, target: str) -> AgentConfig | None:
    """A roster entry by id (`bob`, `@bob`), Slack mention (`<@U123>`) or Matrix id (`@bob:example.org`)."""
    if target.startswith("<@") and target.endswith(">"):
        user = target[2:-1].split("|")[0]
        return next((a for a in config.agents if user and a.slack_user_id == user), None)
    if target.startswith("@") and ":" in target:
        return next((a for a in config.agents if a.matrix_user_id == target), None)
    return config.agent(target.lstrip("@").lower())


def is_queue(config: BridgeConfig, name: str) -> bool:
    return config.has_queue(name.lower())


def is_web_link(text: str) -> bool:
    """Only the scheme: the push allowlist and the WHATWG parse are the push command's own checks."""
    return text.lower().startswith(("https:", "http:"))


async def argument_error(arg: Arg, value: str, config: BridgeConfig, find_chat: FindChat) -> str:
    """Why `value` can't be `arg`, or "" when it can."""
    if arg.kind is ArgKind.AGENT and find_agent(config, value) is None:
        return f"`{value}` is not on the roster."
    if arg.kind is ArgKind.QUEUE and not is_queue(config, value):
        names = ", ".join(q.name for q in config.queues)
        return f"There is no queue `{value.lower()}`. Queues: {names}."
    if arg.kind is ArgKind.CHAT and await find_chat(value) is None:
        return f"No chat `{value}`. `csr chats` lists the open ones."
    if arg.kind is ArgKind.OUTCOME and value.lower() not in config.chats.outcomes:
        return f"{shown(value)} is not an outcome; pick one of: {', '.join(config.chats.outcomes)}."
    if arg.kind is ArgKind.URL and not is_web_link(value):
        return f"`{value}` is not a web link ({arg.name}): give one that starts with https:// or http://."
    return ""
