"""A left message end to end on Slack (the fake Slack server, real Redis, a real RQ worker, real SMTP): its
thread opens in the queue's channel with a Claim button; the CSR who presses it answers in the thread and
the customer gets the answer by email; then the customer's emailed answer comes back into the thread."""

import asyncio
from collections.abc import AsyncIterator
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest
from redis.asyncio import Redis

from adapters.email.plugin import build
from bridge.domain.chat import ChatState, Customer
from bridge.embedded_redis import free_port
from testkit.configs import merged
from testkit.fake_blocks import buttons
from testkit.fake_slack import FakeSlack
from tests.followup.helpers import Inbox, email_config, inbox  # noqa: F401 - fixture
from tests.knowledge.helpers import run_worker
from tests.slack.bridge import InProcessBridge, slack_overrides
from tests.slack.helpers import thread_of

INBOUND_PORT = free_port()


@pytest.fixture
async def bridge(tmp_path: Path, redis: Redis, redis_url: str, fake_slack: FakeSlack,
                 inbox: Inbox) -> AsyncIterator[InProcessBridge]:  # noqa: F811 - fixture
    email = email_config(inbox.port, inbound={"enabled": True, "domain": "reply.example.com", "port": INBOUND_PORT})
    running = InProcessBridge(tmp_path, redis, redis_url, fake_slack,
                              merged(slack_overrides(fake_slack), {"email": email}))
    await running.start()
    mailbox = build(running.app)
    await mailbox.start()
    yield running
    await mailbox.stop()
    await running.stop()


async def test_claim_on_slack_answer_by_email_and_the_answer_comes_back(bridge: InProcessBridge,
                                                                        inbox: Inbox) -> None:  # noqa: F811
    app, fake = bridge.app, bridge.fake
    chat = await app.service.start_chat(Customer(name="Ann", email="ann@example.org"), "question", "general", 0,
                                        "My parcel never came.")
    await app.service.escalate(chat.id)  # nobody signed in: a left message
    channel, root = await thread_of(bridge, chat)
    header = await fake.wait_for(lambda: (m := fake.message(channel, root)) and "chat_action:claim" in buttons(m)
                                 and m)
    await bridge.sender.thread_reply("UALICE", channel, root, "Hello?")
    await bridge.settle()
    assert "Nobody has claimed this left message yet" in bridge.fake.ephemerals[-1]["text"]
    claim = buttons(header)["chat_action:claim"]
    assert (await bridge.sender.block_action("UALICE", claim["action_id"], claim["value"], channel=channel,
                                             message=header)).status_code == 200
    await bridge.settle()
    now = await app.chats.get(chat.id)
    assert now is not None and (now.state, now.agent_id) == (ChatState.ACTIVE, "alice")
    await fake.wait_for(lambda: any("claimed the message" in m["text"] for m in fake.thread(channel, root)))

    await bridge.sender.thread_reply("UALICE", channel, root, "Sorry! A new parcel leaves today.")
    await bridge.settle()
    answered = await app.stream.last_id(chat.id)
    for _ in range(500):  # the e-mail follow-up hears of the answer on the change feed, not through delivery
        if await app.redis.get(app.keys.mail_cursor(chat.id)) == answered:
            break
        await asyncio.sleep(0.01)
    run_worker(app.config_path)
    [(to, message)] = inbox.messages
    assert to == ["ann@example.org"]
    assert "Sorry! A new parcel leaves today." in message.get_payload(decode=True).decode()

    answer = EmailMessage()
    answer["From"], answer["To"], answer["Subject"] = "ann@example.org", message["Reply-To"], "Re: your answer"
    answer["Message-ID"] = "<a1@mail.example.org>"
    answer.set_content("Thank you, that helps!\n\n> Sorry! A new parcel leaves today.\n")
    await aiosmtplib.send(answer, hostname="127.0.0.1", port=INBOUND_PORT)
    await fake.wait_for(lambda: any("Thank you, that helps!" in m["text"] for m in fake.thread(channel, root)))
