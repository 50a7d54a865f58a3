"""`csr tag`, `csr untag` and `csr end OUTCOME` through the command bus on a real Redis: what the chat keeps,
what its thread hears (never the customer), who may file a chat, and how bad or hostile words are refused."""

import asyncio
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bridge.app import BridgeApp
from bridge.commands.replies import Text
from bridge.domain.chat import Chat
from bridge.domain.events import EventKind
from bridge.domain.tags import MAX_TAGS, TAG_MAX_CHARS, BadTag, normalise_tag
from tests.routing.helpers import app_with, available, chat, escalated, only_offer, run
from tests.support.recording_surface import RecordingSurface

OUTCOMES = {"outcomes": ["resolved", "follow-up", "spam"]}


def said(reply: object, error: bool = False) -> str:
    assert isinstance(reply, Text) and reply.error == error, reply
    return reply.text


async def accepted(app: BridgeApp, agent_id: str = "alice", name: str = "Ann") -> Chat:
    await available(app, agent_id)
    escalated_chat = await escalated(app, name=name)
    await run(app, agent_id, f"csr accept {(await only_offer(app, agent_id)).id}")
    return await chat(app, escalated_chat.id)


async def test_tags_are_normalised_kept_on_the_chat_and_told_to_the_thread_only(app: BridgeApp) -> None:
    ann = await accepted(app)
    reply = said(await run(app, "alice", "csr tag Refund #VIP refund", chat_id=ann.id))
    assert reply == "Tagged the chat with `refund`, `vip`. Its tags: `refund`, `vip`."
    assert (await chat(app, ann.id)).tags == ["refund", "vip"]
    assert said(await run(app, "alice", "csr tag vip", chat_id=ann.id)) == "The chat already has `vip`."
    said(await run(app, "alice", f"csr tag {ann.id} late-delivery"))  # named by id, from outside the thread
    said(await run(app, "alice", "csr untag refund", chat_id=ann.id))
    assert (await chat(app, ann.id)).tags == ["vip", "late-delivery"]
    assert said(await run(app, "alice", "csr untag refund", chat_id=ann.id)) == "The chat has none of `refund`."

    tagged = [e for e in await app.stream.read_all(ann.id) if e.kind == EventKind.TAGGED]
    assert [(e.data["added"], e.data["removed"]) for e in tagged] == [
        (["refund", "vip"], []), (["late-delivery"], []), ([], ["refund"])]
    assert all(e.internal and not e.customer_visible and e.author.id == "alice" for e in tagged)
    assert tagged[-1].data["tags"] == ["vip", "late-delivery"]


async def test_only_the_chats_csr_or_a_supervisor_of_its_queue_may_tag(tmp_path: Path, redis: Redis,
                                                                      redis_url: str) -> None:
    gus = {"id": "gus", "display_name": "Gus", "role": "supervisor", "supervises": ["billing"],
           "slack_user_id": "UGUS"}
    app = app_with(tmp_path, redis, redis_url, agents=[*app_with(tmp_path, redis, redis_url).config.model_dump(
        mode="json", include={"agents"})["agents"], gus])
    ann = await accepted(app)
    assert said(await run(app, "bob", f"csr tag {ann.id} vip"), error=True) == "That chat is not yours."
    assert said(await run(app, "gus", f"csr tag {ann.id} vip"), error=True) == "That chat is not yours."
    said(await run(app, "sam", f"csr tag {ann.id} vip"))  # supervises every queue
    assert (await chat(app, ann.id)).tags == ["vip"]
    assert said(await run(app, "bob", f"csr end {ann.id}"), error=True) == "That chat is not yours."


async def test_a_chat_carries_a_bounded_number_of_tags_even_when_csrs_tag_at_once(app: BridgeApp) -> None:
    ann = await accepted(app)
    too_many = " ".join(f"t{i}" for i in range(MAX_TAGS + 1))
    assert f"at most {MAX_TAGS} tags" in said(await run(app, "alice", f"csr tag {too_many}", chat_id=ann.id),
                                              error=True)
    assert (await chat(app, ann.id)).tags == []
    replies = await asyncio.gather(*(run(app, "alice" if i % 2 else "sam", f"csr tag t{i}", chat_id=ann.id)
                                     for i in range(MAX_TAGS + 5)))
    assert sum(not r.error for r in replies if isinstance(r, Text)) == MAX_TAGS
    assert len(set((await chat(app, ann.id)).tags)) == MAX_TAGS
    full = said(await run(app, "alice", "csr tag one-more", chat_id=ann.id), error=True)
    assert full == f"A chat carries at most {MAX_TAGS} tags; `csr untag` one first."


@pytest.mark.parametrize(("words", "wanted"), [
    ("Kündigung", "has other characters"),
    ("\u0130stanbul", "has other characters"),  # a capital dotted I lowercases to i and a combining dot
    ("caf\u00e9 ok", "has other characters"),
    ("\U0001f600", "has other characters"),
    ("a" * (TAG_MAX_CHARS + 1), f"at most {TAG_MAX_CHARS} characters"),
    ("-dash", "is not one"),
    ("'a b'", "is not one"),
    ("a/b", "is not one"),
    ("#", "can't be empty"),
    ("`x`", "that one is not one"),
    ("x" * 500, "`xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…` has 500"),
])
async def test_bad_or_hostile_tags_are_refused_clearly_and_change_nothing(app: BridgeApp, words: str,
                                                                          wanted: str) -> None:
    ann = await accepted(app)
    refusal = said(await run(app, "alice", f"csr tag ok {words}", chat_id=ann.id), error=True)
    assert wanted in refusal and len(refusal) < 200
    assert (await chat(app, ann.id)).tags == []
    assert EventKind.TAGGED not in [e.kind for e in await app.stream.read_all(ann.id)]


async def test_huge_empty_and_control_character_input(app: BridgeApp) -> None:
    ann = await accepted(app)
    assert "at most 4000 characters" in said(await run(app, "alice", "csr tag " + "a " * 3000, chat_id=ann.id),
                                             error=True)
    assert said(await run(app, "alice", "csr tag", chat_id=ann.id), error=True).startswith("Usage: `csr tag")
    said(await run(app, "alice", "csr tag bill\x00ing\x07", chat_id=ann.id))  # the bus drops controls first
    assert (await chat(app, ann.id)).tags == ["billing"]
    for hostile in ("bill\x00ing", "", "\ud800", "x\n", "\u212aey"):  # the Kelvin sign lowercases to an ASCII k
        with pytest.raises(BadTag):
            normalise_tag(hostile)


async def test_tags_of_an_ended_or_unknown_chat_are_refused(app: BridgeApp) -> None:
    ann = await accepted(app)
    said(await run(app, "alice", "csr end", chat_id=ann.id))
    assert said(await run(app, "alice", f"csr tag {ann.id} vip"), error=True) == "That chat has ended."
    assert said(await run(app, "alice", "csr tag vip", chat_id="nosuchchat"), error=True) == \
        "You have no open chat. Name one by its id (`csr chats` lists them)."


async def test_a_team_tag_list_refuses_other_tags(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    app = app_with(tmp_path, redis, redis_url, chats={"tags": ["refund", "vip"]})
    ann = await accepted(app)
    refusal = said(await run(app, "alice", "csr tag vip refnud", chat_id=ann.id), error=True)
    assert refusal == "`refnud` is not one of this team's tags: refund, vip."
    said(await run(app, "alice", "csr tag VIP", chat_id=ann.id))
    assert (await chat(app, ann.id)).tags == ["vip"]


async def test_an_outcome_is_kept_and_shown_to_the_thread_just_before_the_end(tmp_path: Path, redis: Redis,
                                                                              redis_url: str) -> None:
    app = app_with(tmp_path, redis, redis_url, chats=OUTCOMES)
    ann = await accepted(app)
    refusal = said(await run(app, "alice", "csr end solved", chat_id=ann.id), error=True)
    assert refusal == "`solved` is not an outcome; pick one of: resolved, follow-up, spam."
    assert said(await run(app, "alice", "csr end Follow-Up", chat_id=ann.id)) == \
        "The chat with Ann has ended. Outcome: follow-up."
    ended = await chat(app, ann.id)
    assert ended.state == "closed" and ended.outcome == "follow-up"
    events = await app.stream.read_all(ann.id)
    outcome, closed = events[-2:]
    assert (outcome.kind, closed.kind) == (EventKind.OUTCOME, EventKind.CLOSED)
    assert outcome.data == {"outcome": "follow-up", "by": "alice"} and outcome.author.name == "Alice"
    assert outcome.internal and not outcome.customer_visible
    assert "follow-up" not in closed.model_dump_json(), "the customer's end event says nothing of the outcome"

    ben = await accepted(app, name="Ben")
    said(await run(app, "alice", f"csr end {ben.id}"))  # optional unless required
    assert (await chat(app, ben.id)).outcome == ""
    assert EventKind.OUTCOME not in [e.kind for e in await app.stream.read_all(ben.id)]


async def test_a_required_outcome_and_no_outcomes_at_all(tmp_path: Path, redis: Redis, redis_url: str,
                                                         app: BridgeApp) -> None:
    required = app_with(tmp_path, redis, redis_url, chats={**OUTCOMES, "require_outcome": True})
    ann = await accepted(required)
    assert said(await run(required, "alice", "csr end", chat_id=ann.id), error=True) == \
        "Usage: `csr end [chat] resolved|follow-up|spam`"
    assert (await chat(required, ann.id)).state == "active"
    said(await run(required, "alice", "csr end spam", chat_id=ann.id))
    assert (await chat(required, ann.id)).outcome == "spam"

    ben = await accepted(app, name="Ben")  # the base config lists no outcomes: `csr end` takes none
    assert said(await run(app, "alice", "csr end resolved", chat_id=ben.id), error=True) == "Usage: `csr end [chat]`"
    said(await run(app, "alice", "csr end", chat_id=ben.id))


async def test_the_thread_gets_the_tag_and_outcome_events_in_order(tmp_path: Path, redis: Redis,
                                                                   redis_url: str) -> None:
    app = app_with(tmp_path, redis, redis_url, chats=OUTCOMES)
    surface = RecordingSurface(platform="test")
    app.surfaces["test"] = surface
    ann = await accepted(app)
    await app.delivery.on_change(ann.id)  # the thread opens
    await app.delivery.idle()
    await run(app, "alice", "csr tag vip", chat_id=ann.id)
    await run(app, "alice", "csr end resolved", chat_id=ann.id)
    await app.delivery.on_change(ann.id)
    await app.delivery.idle()
    kinds = [e.kind for e in surface.delivered]
    assert kinds[-3:] == [EventKind.TAGGED, EventKind.OUTCOME, EventKind.CLOSED]
    await app.delivery.close()
