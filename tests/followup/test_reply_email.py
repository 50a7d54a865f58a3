"""A claimed left message's replies reach the customer by email (real SMTP: aiosmtpd; real RQ workers), once,
with a signed link back to the chat and an address that brings their answer back; failures say so in the
thread; hostile names and addresses change nothing but the text."""

from pathlib import Path

from redis import Redis as SyncRedis
from redis.asyncio import Redis
from rq import Queue

from bridge.domain.events import EventKind
from bridge.embedded_redis import free_port
from bridge.worker import queue_name
from followup.jobs import ReplyMailer, reply_links
from followup.outbox import EmailFollowUp
from tests.followup.helpers import Inbox, boot, claimed_message, email_config, inbox, reply  # noqa: F401 - fixture
from tests.knowledge.helpers import run_worker


def mailer(app) -> ReplyMailer:  # noqa: ANN001 - the app
    return ReplyMailer(app.config, app.redis, app.keys, app.chats, app.stream, app.service, app.jobs.enqueue)


def follow_up(app) -> EmailFollowUp:  # noqa: ANN001 - the app
    return EmailFollowUp(app.config.email, app.redis, app.keys, app.chats, app.stream, app.jobs.enqueue)


async def notices(app, chat_id: str) -> list[str]:  # noqa: ANN001 - the app
    return [e.text for e in await app.stream.read_all(chat_id) if e.kind == EventKind.NOTICE]


async def test_a_reply_is_emailed_once_with_a_link_back_and_a_reply_address(
        tmp_path: Path, redis: Redis, redis_url: str, inbox: Inbox) -> None:  # noqa: F811 - fixture
    app = boot(tmp_path, redis, redis_url, email=email_config(inbox.port, inbound={
        "enabled": True, "domain": "reply.example.com"}))
    chat = await claimed_message(app)
    before = await reply(app, chat, "Sorry! A new parcel leaves today.", "e1")
    await follow_up(app).on_chat_change(chat.id)
    await follow_up(app).on_chat_change(chat.id)  # told twice: one job
    run_worker(app.config_path)
    run_worker(app.config_path)
    assert len(inbox.messages) == 1
    [(to, message)] = inbox.messages
    assert to == ["ann@example.org"]
    assert message["To"] == "Ann <ann@example.org>"
    assert message["From"] == "Example Shop <help@example.com>"
    assert message["Subject"] == "Alice answered your message"
    assert message["Message-ID"] == f"<reply.{chat.id}.{before.id}@reply.example.com>"
    reply_to = message["Reply-To"]
    local, _, domain = reply_to.partition("@")
    assert domain == "reply.example.com" and local.startswith("reply+")
    links = reply_links(app.config)
    assert links.chat_of_code(local.removeprefix("reply+")) == chat.id
    body = message.get_payload(decode=True).decode()
    assert "Sorry! A new parcel leaves today." in body and "Hello Ann," in body
    link = next(w for w in body.split() if w.startswith("https://shop.example.com/#csr-reply="))
    assert links.chat_of_link(link.partition("#csr-reply=")[2]) == chat.id
    assert await mailer(app).send(chat.id, before.id, 0) == "already"  # a retried job sends nothing
    assert len(inbox.messages) == 1


async def test_the_server_away_is_retried_and_a_refusal_is_told_in_the_thread(
        tmp_path: Path, redis: Redis, redis_url: str, inbox: Inbox) -> None:  # noqa: F811 - fixture
    dead = free_port()
    app = boot(tmp_path, redis, redis_url, email=email_config(dead, max_attempts=2))
    chat = await claimed_message(app)
    event = await reply(app, chat, "We are on it.")
    m = mailer(app)
    assert await m.send(chat.id, event.id, 0) == "retrying"
    scheduled = Queue(queue_name(app.config, "jobs"), connection=SyncRedis.from_url(redis_url)).scheduled_job_registry
    assert any(j.endswith(f"{event.id}-1") for j in scheduled.get_job_ids())
    assert await notices(app, chat.id) == []
    assert await m.send(chat.id, event.id, 1) == "failed"  # the last attempt
    [told] = await notices(app, chat.id)
    assert "could not be emailed to Ann" in told and "mail server could not be reached" in told
    assert await m.send(chat.id, event.id, 1) == "already"
    assert len(await notices(app, chat.id)) == 1, "told once"

    inbox.refuse = True
    app = boot(tmp_path, redis, redis_url, email=email_config(inbox.port))
    chat = await claimed_message(app, name="Bea", mail="bea@example.org")
    event = await reply(app, chat, "Hello Bea")
    assert await mailer(app).send(chat.id, event.id, 0) == "refused"
    [told] = await notices(app, chat.id)
    assert "could not be emailed to Bea" in told and "550" in told
    assert inbox.messages == []


async def test_hostile_names_and_addresses_inject_no_header(tmp_path: Path, redis: Redis, redis_url: str,
                                                           inbox: Inbox) -> None:  # noqa: F811 - fixture
    app = boot(tmp_path, redis, redis_url, email=email_config(inbox.port))
    chat = await claimed_message(app, name="Ann\r\nBcc: victim@example.net\r\nSubject: Win", mail="ann@example.org")
    event = await reply(app, chat, "Line one\r\nBcc: x@example.net\r\n\r\nLine after a blank")
    assert await mailer(app).send(chat.id, event.id, 0) == "sent"
    [(to, message)] = inbox.messages
    assert to == ["ann@example.org"]
    assert message["Bcc"] is None and len(message.get_all("Subject")) == 1
    assert message["Subject"] == "Alice answered your message"
    assert "\n" not in message["To"] and "victim@example.net" not in to

    for bad in ("a@example.org, b@example.org", "a@example.org\r\nBcc: c@example.org", "<a@example.org>"):
        chat = await claimed_message(app, name="Cid", mail=bad)
        event = await reply(app, chat, "Hi")
        assert await mailer(app).send(chat.id, event.id, 0) == "refused"
        assert any("not a" in n for n in await notices(app, chat.id))
    assert len(inbox.messages) == 1, "nothing sent to a list or a smuggled address"


async def test_the_email_is_in_the_language_the_chat_started_in(tmp_path: Path, redis: Redis, redis_url: str,
                                                               inbox: Inbox) -> None:  # noqa: F811 - fixture
    app = boot(tmp_path, redis, redis_url, email=email_config(inbox.port))
    chat = await claimed_message(app, name="Jonas", mail="jonas@example.de", language="de")
    event = await reply(app, chat, "Das Paket ist unterwegs.")
    assert await mailer(app).send(chat.id, event.id, 0) == "sent"
    [(_, message)] = inbox.messages
    assert message["Subject"] == "Alice hat auf Ihre Nachricht geantwortet"
    assert message["Content-Language"] == "de"
    body = message.get_payload(decode=True).decode()
    assert body.startswith("Hallo Jonas,") and "Das Paket ist unterwegs." in body and "Im Chat weitermachen:" in body
