"""The customer answers the email and the answer lands in the same chat: the bridge's SMTP receiver (aiosmtpd,
real SMTP) spoken to by a real client (aiosmtplib). Whatever can't be filed is refused during the SMTP
conversation, so the customer's mail server tells them; redeliveries are stored once."""

from collections.abc import AsyncIterator
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest
from redis.asyncio import Redis

from adapters.email.plugin import build
from bridge.app import BridgeApp
from bridge.domain.events import AuthorKind, EventKind
from bridge.embedded_redis import free_port
from followup.jobs import reply_links
from tests.followup.helpers import Inbox, boot, claimed_message, email_config, inbox, reply  # noqa: F401 - fixture
from tests.followup.test_reply_email import mailer

DOMAIN = "reply.example.com"


@pytest.fixture
async def mailbox(tmp_path: Path, redis: Redis, redis_url: str,
                  inbox: Inbox) -> AsyncIterator[tuple[BridgeApp, int]]:  # noqa: F811 - fixture
    port = free_port()
    app = boot(tmp_path, redis, redis_url, email=email_config(inbox.port, inbound={
        "enabled": True, "domain": DOMAIN, "port": port, "max_bytes": 20_000}))
    adapter = build(app)
    await adapter.start()
    assert (await adapter.ready())[0]
    try:
        yield app, port
    finally:
        await adapter.stop()


def answer(to: str, text: str, message_id: str = "<a1@mail.example.org>", **headers: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Ann <ann@example.org>"
    msg["To"] = to
    msg["Subject"] = "Re: Alice answered your message"
    msg["Message-ID"] = message_id
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(text)
    return msg


async def customer_said(app: BridgeApp, chat_id: str) -> list[str]:
    return [e.text for e in await app.stream.read_all(chat_id)
            if e.kind == EventKind.MESSAGE and e.author.kind == AuthorKind.CUSTOMER]


async def test_an_emailed_answer_lands_in_the_same_chat_once_without_the_quote(
        mailbox: tuple[BridgeApp, int], inbox: Inbox) -> None:  # noqa: F811 - fixture
    app, port = mailbox
    chat = await claimed_message(app)
    event = await reply(app, chat, "A new parcel leaves today.")
    assert await mailer(app).send(chat.id, event.id, 0) == "sent"
    reply_to = inbox.messages[0][1]["Reply-To"]
    text = ("Thanks, that's great!\n\nOn Mon, 7 Dec 2026 Example Shop <help@example.com> wrote:\n"
            "> A new parcel leaves today.\n")
    for _ in range(2):  # the customer's server delivers it twice
        await aiosmtplib.send(answer(reply_to, text), hostname="127.0.0.1", port=port)
    assert await customer_said(app, chat.id) == ["My parcel never came.", "Thanks, that's great!"]
    filed = (await app.stream.read_all(chat.id))[-1]
    assert filed.origin.platform == "email"

    await aiosmtplib.send(answer(reply_to, "I'm out of office.", "<ooo@mail.example.org>",
                                 Auto_Submitted="auto-replied"), hostname="127.0.0.1", port=port)
    assert len(await customer_said(app, chat.id)) == 2, "no automatic reply in the chat (no mail loop)"


async def refusal(port: int, message: EmailMessage) -> str:
    with pytest.raises((aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPResponseException)) as err:
        await aiosmtplib.send(message, hostname="127.0.0.1", port=port)
    exc = err.value
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return " ".join(f"{r.code} {r.message}" for r in exc.recipients)
    return f"{exc.code} {exc.message}"


async def test_forged_stale_ended_huge_and_empty_answers_are_refused_with_a_reason(
        mailbox: tuple[BridgeApp, int]) -> None:
    app, port = mailbox
    chat = await claimed_message(app)
    code = reply_links(app.config).address_code(chat.id)
    good = f"reply+{code}@{DOMAIN}"
    forged = f"reply+{code[:-4]}0000@{DOMAIN}"
    assert "550" in await refusal(port, answer(forged, "hi")) and await customer_said(app, chat.id) == [
        "My parcel never came."]
    assert "550" in await refusal(port, answer(f"someone@{DOMAIN}", "hi"))
    assert "550" in await refusal(port, answer(f"reply+{code}@elsewhere.example", "hi"))
    assert "552" in await refusal(port, answer(good, "x" * 30_000, "<big@mail.example.org>"))
    assert "550" in await refusal(port, answer(good, "\n> only a quote\n", "<empty@mail.example.org>"))
    await app.router.close_chat(chat.id, "agent_ended", "alice")
    ended = await refusal(port, answer(good, "one more thing", "<late@mail.example.org>"))
    assert "550" in ended and "conversation has ended" in ended and "https://shop.example.com/" in ended
    assert await customer_said(app, chat.id) == ["My parcel never came."], "nothing filed from any of them"
