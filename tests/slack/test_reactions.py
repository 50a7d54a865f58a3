"""Reactions and emoji between a chat's Slack thread and the customer, through signed Slack events."""

from typing import Any

import pytest

from bridge.domain.events import AuthorKind, ChatEvent, EventKind
from tests.slack.bridge import InProcessBridge
from tests.slack.helpers import active_chat, thread_of
from tests.support.events import conversation


async def reactions(bridge: InProcessBridge, chat_id: str) -> list[tuple[str, str, str, bool]]:
    return [(e.author.kind.value, str(e.data["target"]), str(e.data["key"]), bool(e.data["removed"]))
            for e in await bridge.app.stream.read_all(chat_id) if e.kind == EventKind.REACTION]


async def customer_post(bridge: InProcessBridge, channel: str, root: str) -> dict[str, Any]:
    [post] = await bridge.fake.wait_for(lambda: [m for m in bridge.fake.thread(channel, root)
                                                 if (m.get("username") or "").endswith("(customer)")])
    await bridge.settle()
    return dict(post)


async def first_event(bridge: InProcessBridge, chat_id: str) -> ChatEvent:
    return (await conversation(bridge.app.stream, chat_id))[0]


async def test_a_csr_reaction_on_the_customer_s_message_reaches_the_chat_and_its_removal_too(
        bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app)
    channel, root = await thread_of(bridge, chat)
    post = await customer_post(bridge, channel, root)
    hello = (await first_event(bridge, chat.id)).id
    for name, removed in (("+1::skin-tone-3", False), ("partyparrot", False), ("+1::skin-tone-3", True)):
        response = await bridge.sender.reaction("UALICE", channel, post["ts"], name, removed=removed)
        assert response.status_code == 200
    await bridge.settle()
    assert await reactions(bridge, chat.id) == [("agent", hello, "👍🏼", False),
                                                ("agent", hello, ":partyparrot:", False),
                                                ("agent", hello, "👍🏼", True)]


async def test_a_csr_may_react_on_their_own_reply_and_redeliveries_count_once(bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app)
    channel, root = await thread_of(bridge, chat)
    ts = await bridge.sender.thread_reply("UALICE", channel, root, "Sorted!")
    await bridge.settle()
    said = next(e for e in await bridge.app.stream.read_all(chat.id) if e.author.kind is AuthorKind.AGENT)
    for _ in range(2):
        await bridge.sender.reaction("UALICE", channel, ts, "tada", event_id="EvTada")
    await bridge.settle()
    assert await reactions(bridge, chat.id) == [("agent", said.id, "🎉", False)]


async def test_shortcodes_in_a_csr_reply_reach_the_customer_as_unicode(bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app)
    channel, root = await thread_of(bridge, chat)
    await bridge.sender.thread_reply("UALICE", channel, root,
                                     "Done :white_check_mark: :+1::skin-tone-2: :partyparrot: at 10:30:45")
    await bridge.settle()
    said = next(e for e in await bridge.app.stream.read_all(chat.id) if e.author.kind is AuthorKind.AGENT)
    assert said.text == "Done ✅ 👍🏻 :partyparrot: at 10:30:45"


async def test_reactions_that_are_not_a_csr_s_on_a_chat_message_change_nothing(bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app, agent="alice")
    other = await active_chat(bridge.app, name="Bea", agent="bob")
    channel, root = await thread_of(bridge, chat)
    other_channel, other_root = await thread_of(bridge, other)
    post = await customer_post(bridge, channel, root)
    other_post = await customer_post(bridge, other_channel, other_root)
    await bridge.sender.reaction("UBOT", channel, post["ts"], "heart")  # the bot's own (the customer's) reaction
    await bridge.sender.reaction("UMALLORY", channel, post["ts"], "heart")  # not on the roster
    await bridge.sender.reaction("UALICE", other_channel, other_post["ts"], "heart")  # Bob's chat
    await bridge.sender.reaction("UALICE", channel, root, "heart")  # the thread's header
    await bridge.sender.reaction("UALICE", channel, "1234.5678", "heart")  # no message of ours
    await bridge.sender.event({"type": "reaction_added", "user": "UALICE", "reaction": "heart",
                               "item": {"type": "file", "file": "F1"}})
    await bridge.settle()
    assert await reactions(bridge, chat.id) == [] == await reactions(bridge, other.id)


@pytest.mark.parametrize("name", ["x" * 200, "heart\x00", "h\u202eeart", "a b", ":", "::skin-tone-2"])
async def test_hostile_reaction_names_store_nothing_and_never_fail_the_request(bridge: InProcessBridge,
                                                                                 name: str) -> None:
    chat = await active_chat(bridge.app)
    channel, root = await thread_of(bridge, chat)
    post = await customer_post(bridge, channel, root)
    response = await bridge.sender.reaction("UALICE", channel, post["ts"], name)
    await bridge.settle()
    assert response.status_code == 200
    stored = await reactions(bridge, chat.id)
    assert all(len(key) <= 104 and "\x00" not in key and " " not in key for _, _, key, _ in stored)
    assert stored == []


async def test_a_flood_of_reactions_is_taken_in_order_and_ends_as_the_last_said(bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app)
    channel, root = await thread_of(bridge, chat)
    post = await customer_post(bridge, channel, root)
    for i in range(40):
        await bridge.sender.reaction("UALICE", channel, post["ts"], "eyes", removed=bool(i % 2))
    await bridge.settle()
    stored = await reactions(bridge, chat.id)
    assert len(stored) == 40 and stored[-1][3] is True


async def test_the_customer_s_reaction_is_the_bot_s_on_the_csr_s_message(bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app)
    channel, root = await thread_of(bridge, chat)
    ts = await bridge.sender.thread_reply("UALICE", channel, root, "Your parcel left today")
    bridge.fake.messages[channel].append({"ts": ts, "channel": channel, "user": "UALICE", "thread_ts": root,
                                          "text": "Your parcel left today"})  # Slack holds the CSR's reply
    await bridge.settle()
    said = next(e for e in await bridge.app.stream.read_all(chat.id) if e.author.kind is AuthorKind.AGENT)
    fresh = await bridge.app.chats.get(chat.id)
    assert fresh is not None
    service = bridge.app.service
    await service.customer_reaction(fresh, said.id, "👍🏽")
    await service.customer_reaction(fresh, said.id, "👍🏽")  # a second add: Slack says already_reacted
    await service.customer_reaction(fresh, said.id, "❤️")
    await bridge.fake.wait_for(lambda: len(bridge.fake.message(channel, ts).get("reactions", {})) == 2)
    assert bridge.fake.message(channel, ts)["reactions"] == {"thumbsup::skin-tone-4": ["UBOT"], "heart": ["UBOT"]}
    await service.customer_reaction(fresh, said.id, "❤️", removed=True)
    await service.customer_reaction(fresh, said.id, "🎉", removed=True)  # never added: Slack says no_reaction
    await service.customer_reaction(fresh, said.id, "👍🏽", removed=True)
    await service.agent_message(chat.id, bridge.app.config.agent("alice"), "after",  # type: ignore[arg-type]
                                said.origin.model_copy(update={"event_id": "x1", "platform": "core"}))
    await bridge.fake.wait_for(lambda: any(m["text"].endswith("after") for m in bridge.fake.thread(channel, root)))
    assert bridge.fake.message(channel, ts)["reactions"] == {}
    errors = {c.error for c in bridge.fake.calls if c.method.startswith("reactions.") and not c.ok}
    assert errors == {"already_reacted", "no_reaction"}


async def test_the_customer_s_reaction_on_a_phrase_the_bot_posted(bridge: InProcessBridge) -> None:
    chat = await active_chat(bridge.app)
    channel, root = await thread_of(bridge, chat)
    alice = bridge.app.config.agent("alice")
    assert alice is not None
    said = await bridge.app.service.agent_message(chat.id, alice, "Hi Ann, I'm Alice.",
                                                  (await first_event(bridge, chat.id)).origin)
    await bridge.settle()
    [post] = await bridge.fake.wait_for(lambda: [m for m in bridge.fake.thread(channel, root)
                                                 if "Hi Ann, I'm Alice." in m["text"]])
    fresh = await bridge.app.chats.get(chat.id)
    assert fresh is not None
    await bridge.app.service.customer_reaction(fresh, said.id, "🙏")
    await bridge.fake.wait_for(lambda: bridge.fake.message(channel, post["ts"]).get("reactions"))
    assert bridge.fake.message(channel, post["ts"])["reactions"] == {"pray": ["UBOT"]}
