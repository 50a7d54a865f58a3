"""Customer text in Block Kit is shown as typed: every mrkdwn text object the bridge sends is verbatim.

Without `verbatim: true` Slack links bare URLs and channel names and parses some mentions in mrkdwn,
so a customer named "@here" could ping a channel from an offer card. The check walks every message,
update, ephemeral, modal, App Home and response_url answer of a session that shows the customer's
name and words on every surface that carries them.
"""

import json
from collections.abc import Iterator
from typing import Any

from tests.slack.bridge import InProcessBridge
from tests.slack.helpers import accepted_chat

NAME = "@here Ann #general"
FIRST = "@channel see https://evil.example and #random, <!everyone>"
VIEW_METHODS = {"views.open", "views.push", "views.update", "views.publish"}
MESSAGE_METHODS = {"chat.postMessage", "chat.update", "chat.postEphemeral"}


def text_objects(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
            yield node
        for value in node.values():
            yield from text_objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from text_objects(value)


def sent_blocks(bridge: InProcessBridge) -> Iterator[Any]:
    for call in bridge.fake.calls:
        if call.method in MESSAGE_METHODS and call.args.get("blocks"):
            blocks = call.args["blocks"]
            yield json.loads(blocks) if isinstance(blocks, str) else blocks
        elif call.method in VIEW_METHODS and call.args.get("view"):
            view = call.args["view"]
            yield json.loads(view) if isinstance(view, str) else view
    for hook in bridge.fake.hooks:
        yield hook.get("blocks") or []


async def test_every_mrkdwn_text_the_bridge_sends_is_verbatim(bridge: InProcessBridge) -> None:
    chat, channel, root = await accepted_chat(bridge, name=NAME, first=FIRST)
    sender = bridge.sender
    for command in ("status", "chats", "help"):
        await sender.command("UALICE", command)
    await sender.command("USAM", f"monitor {chat.id}")
    await sender.command("USAM", "queues")
    await sender.event({"type": "app_home_opened", "user": "UALICE", "tab": "home"})
    await sender.message_shortcut("UALICE", channel, {"ts": root, "text": "header"})
    await bridge.settle()

    objects = [o for blocks in sent_blocks(bridge) for o in text_objects(blocks)]
    mrkdwn = [o for o in objects if o["type"] == "mrkdwn"]
    not_literal = [o["text"][:80] for o in mrkdwn if o.get("verbatim") is not True]
    assert not_literal == []
    with_customer = [o for o in mrkdwn if "@here Ann" in o["text"] or "@channel see" in o["text"]]
    assert len(with_customer) >= 3, "the customer's words should have been on the card, the header and the home tab"
