"""Supervision on Slack, through signed requests to the bridge and a fake Slack Web API: reading along
with a link or a live copy in the DM, reports posted as files in the DM, and the App Home dashboard."""

import asyncio
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from adapters.slack.webapi import SlackCalls
from bridge.redis_batch import RedisBatch
from tests.routing.helpers import signed_in
from tests.slack.bridge import InProcessBridge
from tests.slack.helpers import accepted_chat
from tests.supervision.slack_bridge import MembersSlack, fake_slack, slack_bridge  # noqa: F401 - fixtures


def _dm_thread(fake: MembersSlack, user: str) -> tuple[dict, list[dict]]:
    root = next(m for m in fake.messages[f"D{user}"] if m["text"].startswith(":eyes: Reading along"))
    return root, fake.thread(f"D{user}", root["ts"])


async def test_a_supervisor_outside_the_channel_gets_a_live_copy(slack_bridge: InProcessBridge) -> None:  # noqa: F811 - imported fixture
    bridge, fake = slack_bridge, slack_bridge.fake
    fake.members["CGENERAL"] = ["UALICE", "UBOB", "UCAROL"]
    chat, channel, root_ts = await accepted_chat(bridge, name="Ann", first="My order never came")
    await bridge.settle()
    await bridge.sender.command("USAM", f"monitor {chat.id}")
    await bridge.settle()
    hook = await fake.wait_for(lambda: next((h for h in fake.hooks if "Reading along with Ann" in h["text"]), None))
    link = f"https://fake-team.slack.com/archives/{channel}/p{root_ts.replace('.', '')}"
    assert link in hook["text"] and "live copy" in hook["text"]
    root, _ = _dm_thread(fake, "USAM")
    assert link in root["text"]
    await fake.wait_for(lambda: any("My order never came" in m["text"] for m in _dm_thread(fake, "USAM")[1]))
    await fake.wait_for(lambda: any("Sam (supervisor) is reading along" in m["text"]
                                    for m in fake.thread(channel, root_ts)))

    await bridge.app.service.customer_message(chat.id, "Hello? Anyone?")
    await fake.wait_for(lambda: any("Hello? Anyone?" in m["text"] for m in _dm_thread(fake, "USAM")[1]))
    copies = [m["text"] for m in _dm_thread(fake, "USAM")[1]]
    assert copies.count("Hello? Anyone?") == 1 and sum("My order never came" in t for t in copies) == 1
    assert any(c["method"] == "conversations.members" and c["args"]["channel"] == channel
               for c in [vars(c) for c in fake.calls])

    await bridge.sender.command("UALICE", f"end {chat.id}")
    await fake.wait_for(lambda: any(":checkered_flag:" in m["text"] for m in _dm_thread(fake, "USAM")[1]))
    key = bridge.app.keys.slack_monitors(chat.id)
    async with asyncio.timeout(10):  # the copies are posted first, then the monitor is forgotten
        while await bridge.app.redis.exists(key):
            await asyncio.sleep(0.05)


async def test_a_message_posted_while_the_copy_starts_is_in_it_once(  # noqa: F811 - imported fixture
        slack_bridge: InProcessBridge, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811 - imported fixture
    """The customer writes while the copy's root goes to the DM, and delivery posts it to the thread before the
    root's post returns: it must be in the DM all the same, once."""
    bridge, fake = slack_bridge, slack_bridge.fake
    chat, channel, root_ts = await accepted_chat(bridge, name="Ann")
    await bridge.settle()
    post = SlackCalls.post

    async def meanwhile(self: SlackCalls, **kwargs: Any) -> Any:
        if str(kwargs.get("text", "")).startswith(":eyes: Reading along"):
            await bridge.app.service.customer_message(chat.id, "Written meanwhile")
            await fake.wait_for(lambda: any("Written meanwhile" in m["text"] for m in fake.thread(channel, root_ts)))
            await bridge.app.delivery.idle()  # its post made and recorded, the copies read: none yet
        return await post(self, **kwargs)

    monkeypatch.setattr(SlackCalls, "post", meanwhile)
    await bridge.sender.command("USAM", f"monitor {chat.id}")
    await fake.wait_for(lambda: any("Reading along with Ann" in h["text"] for h in fake.hooks))
    await bridge.app.service.customer_message(chat.id, "And after")
    await fake.wait_for(lambda: any("And after" in m["text"] for m in _dm_thread(fake, "USAM")[1]))
    await bridge.settle()
    copies = [m["text"] for m in _dm_thread(fake, "USAM")[1]]
    assert sum("Written meanwhile" in t for t in copies) == 1, copies


async def test_the_copies_are_read_in_the_round_trip_that_records_the_post(  # noqa: F811 - imported fixture
        slack_bridge: InProcessBridge, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811 - imported fixture
    bridge, fake = slack_bridge, slack_bridge.fake
    chat, _, _ = await accepted_chat(bridge, name="Ann")
    await bridge.sender.command("USAM", f"monitor {chat.id}")
    await fake.wait_for(lambda: any("Reading along with Ann" in h["text"] for h in fake.hooks))
    await bridge.settle()
    key = bridge.app.keys.slack_monitors(chat.id)
    sent: list[list[tuple[str, ...]]] = []
    execute = RedisBatch.execute

    async def watched(self: RedisBatch, pipe: Pipeline, raise_on_error: bool = True) -> list[Any]:
        sent.append([tuple(map(str, args[:2])) for args, _ in pipe.command_stack])
        return await execute(self, pipe, raise_on_error)

    monkeypatch.setattr(RedisBatch, "execute", watched)
    await bridge.app.service.customer_message(chat.id, "Hello? Anyone?")
    await fake.wait_for(lambda: any("Hello? Anyone?" in m["text"] for m in _dm_thread(fake, "USAM")[1]))
    reads = [pipe for pipe in sent if ("HGETALL", key) in pipe]
    assert len(reads) == 1 and reads[0][0] == ("HGETALL", key)
    assert any(name == "EVALSHA" for name, _ in reads[0][1:])  # the post's record


async def test_a_supervisor_in_the_channel_gets_the_link(slack_bridge: InProcessBridge) -> None:  # noqa: F811 - imported fixture
    bridge, fake = slack_bridge, slack_bridge.fake
    fake.members["CGENERAL"] = ["UALICE", "UBOB", "UCAROL", "USAM"]
    chat, channel, root_ts = await accepted_chat(bridge, name="Ann")
    await bridge.sender.command("USAM", f"monitor {chat.id}")
    await bridge.settle()
    hook = await fake.wait_for(lambda: next((h for h in fake.hooks if "Reading along" in h["text"]), None))
    assert "You are in its channel already." in hook["text"]
    assert f"archives/{channel}/p{root_ts.replace('.', '')}" in hook["text"]
    assert not any(m["text"].startswith(":eyes:") for m in fake.messages["DUSAM"])


async def test_a_csr_may_not_monitor(slack_bridge: InProcessBridge, redis: Redis) -> None:  # noqa: F811 - imported fixture
    bridge, fake = slack_bridge, slack_bridge.fake
    chat, _, _ = await accepted_chat(bridge, name="Ann")
    await bridge.sender.command("UBOB", f"monitor {chat.id}")
    await bridge.settle()
    hook = await fake.wait_for(lambda: next((h for h in fake.hooks if "monitor" in h["text"]), None))
    assert "is for the supervisor role and up" in hook["text"]
    assert not fake.calls_to("conversations.members")


async def test_a_report_arrives_in_the_dm_with_its_chart_and_csv(slack_bridge: InProcessBridge,  # noqa: F811 - imported fixture
                                                                  redis_url: str) -> None:
    import asyncio
    import io

    from PIL import Image

    from tests.knowledge.helpers import run_worker

    bridge, fake = slack_bridge, slack_bridge.fake
    await accepted_chat(bridge, name="Ann")
    await bridge.sender.command("USAM", "report 7d")
    await bridge.settle()
    await fake.wait_for(lambda: any("Building the report" in h["text"] for h in fake.hooks))
    await asyncio.to_thread(run_worker, bridge.app.config_path)
    files = await fake.wait_for(lambda: [u for u in fake.uploads.values() if u.get("channel") == "DUSAM"]
                                if len([u for u in fake.uploads.values() if u.get("channel") == "DUSAM"]) == 2
                                else None)
    by_name = {u["name"]: u for u in files}
    assert set(by_name) == {"report-7d-all.png", "report-7d-all.csv"}
    assert Image.open(io.BytesIO(by_name["report-7d-all.png"]["data"])).size == (1200, 700)
    assert by_name["report-7d-all.csv"]["data"].decode().startswith("figure,unit,all,general,billing,tech")
    table = next(m for m in fake.messages["DUSAM"] if "Report for all queues" in str(m.get("blocks")))
    assert "Offers accepted" in str(table["blocks"]) and "Accept rate · Alice" in str(table["blocks"])


async def test_a_report_asked_in_the_supervisors_channel_is_posted_there(slack_bridge: InProcessBridge,  # noqa: F811 - imported fixture
                                                                         redis_url: str) -> None:
    import asyncio

    from tests.knowledge.helpers import run_worker
    from tests.slack.bridge import SUPERVISORS

    bridge, fake = slack_bridge, slack_bridge.fake
    await bridge.sender.command("USAM", "report today general", channel=SUPERVISORS)
    await bridge.settle()
    await asyncio.to_thread(run_worker, bridge.app.config_path)
    await fake.wait_for(lambda: len([u for u in fake.uploads.values() if u.get("channel") == SUPERVISORS]) == 2)
    assert any("Report for General, today" in str(m.get("blocks")) for m in fake.messages[SUPERVISORS])
    assert not [u for u in fake.uploads.values() if u.get("channel") == "DUSAM"]


def _queue_row(view: dict, queue: str) -> list[str]:
    """The queue's row of the `csr queues` table on an App Home, as its columns."""
    text = "\n".join(b["text"]["text"] for b in view["blocks"] if b["type"] == "section")
    start = text.index("*Queues now*")
    line = next(x for x in text[start:].replace("```", "\n").splitlines() if x.startswith(queue + " "))
    return [c.strip() for c in line.split("  ") if c.strip()]


async def test_the_supervisors_app_home_shows_the_live_queues(slack_bridge: InProcessBridge) -> None:  # noqa: F811 - imported fixture
    from bridge.domain.chat import Customer

    bridge, fake = slack_bridge, slack_bridge.fake
    for user in ("USAM", "UGUS", "UALICE"):
        await bridge.sender.event({"type": "app_home_opened", "user": user, "tab": "home"})
    await bridge.settle()
    await fake.wait_for(lambda: {"USAM", "UGUS", "UALICE"} <= set(fake.homes))
    assert _queue_row(fake.homes["USAM"], "General")[1] == "0"
    assert "Queues now" not in str(fake.homes["UALICE"])
    assert "Billing" not in str(fake.homes["UGUS"]).split("*Queues now*")[1]

    await signed_in(bridge.app, "bob")
    chat = await bridge.app.service.start_chat(Customer(name="Ann"), "question", "general", 0, "hi")
    await bridge.app.service.escalate(chat.id)
    await fake.wait_for(lambda: _queue_row(fake.homes["USAM"], "General")[1] == "1")
    await fake.wait_for(lambda: _queue_row(fake.homes["UGUS"], "General")[1] == "1")
    await fake.wait_for(lambda: _queue_row(fake.homes["UADA"], "General")[1:2] == ["1"])
    assert "Queues now" not in str(fake.homes["UALICE"])
    published = len(fake.calls_to("views.publish"))

    await bridge.app.service.close(chat.id, "customer_ended", "customer")
    await fake.wait_for(lambda: _queue_row(fake.homes["USAM"], "General")[1] == "0")
    assert len(fake.calls_to("views.publish")) > published
