"""`csr push URL [title]`: shows the customer a card that opens a page on an allowed domain."""

from bridge.commands.bus import CommandError
from bridge.commands.registry import ChatArg, CommandSpec, Invocation
from bridge.commands.replies import Reply, Text
from bridge.domain.events import EventKind, Origin
from knowledge.push import PushRefused, checked_url

MAX_TITLE = 150


async def push_command(inv: Invocation) -> Reply:
    chat = inv.chat
    assert chat is not None
    try:
        url, host = checked_url(inv.args[0], inv.app.config.knowledge.push_allowed_domains)
    except PushRefused as exc:
        raise CommandError(str(exc)) from None
    title = " ".join(inv.args[1:]).strip()[:MAX_TITLE] or host
    await inv.app.service.agent_message(chat.id, inv.agent, title, Origin(platform="core"), kind=EventKind.CARD,
                                        data={"title": title, "summary": host, "url": url})
    return Text(f"Pushed {url} to {chat.customer.name}.")


COMMANDS = [
    CommandSpec("push", "csr push URL [title]", "Show the customer a page (allowed domains only).", push_command,
                chat=ChatArg.REQUIRED, min_args=1),
]
