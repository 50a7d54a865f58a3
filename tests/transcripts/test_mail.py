"""The customer's transcript by mail when the chat ends (SMTP on loopback, received and read back)."""

import email
import threading
import warnings
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bridge.embedded_redis import free_port
from tests.knowledge.helpers import active_chat, boot, run, run_worker
from transcripts.jobs import schedule_archive

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import asyncore  # smtpd's loop; both ship with Python 3.11, enough for a loopback inbox
    import smtpd


class Inbox(smtpd.SMTPServer):
    def __init__(self, port: int) -> None:
        super().__init__(("127.0.0.1", port), None, decode_data=False)
        self.messages: list[tuple[list[str], Message]] = []

    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):  # noqa: ANN001, ANN201, ARG002
        self.messages.append((rcpttos, email.message_from_bytes(data)))


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    server = Inbox(free_port())
    thread = threading.Thread(target=asyncore.loop, kwargs={"timeout": 0.05}, daemon=True)
    thread.start()
    yield server
    server.close()
    thread.join(timeout=5)


async def test_customer_gets_their_transcript_without_notes(tmp_path: Path, redis: Redis, redis_url: str,
                                                             inbox: Inbox) -> None:
    app = boot(tmp_path, redis, redis_url, transcripts={
        "email_on_close": True, "mail_subject": "Your chat with Example Shop",
        "smtp": {"host": "127.0.0.1", "port": inbox.socket.getsockname()[1], "starttls": False,
                 "sender": "help@example.com"}})
    chat = await active_chat(app, messages=("Where is my parcel?",))
    await run(app, "csr note VIP, ship express for free", chat_id=chat.id)
    await run(app, "csr phrase greet", chat_id=chat.id)
    await app.service.close(chat.id, "resolved", "alice")
    await app.transcripts.archiver.mark_closed(chat.id)
    run_worker(app.config_path)
    await schedule_archive(app, chat.id)  # archived again (a retried job): nobody is mailed twice
    run_worker(app.config_path)

    assert len(inbox.messages) == 1
    recipients, message = inbox.messages[0]
    assert recipients == ["eve@example.org"]
    assert message["Subject"] == "Your chat with Example Shop" and message["From"] == "help@example.com"
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in message.walk() if not p.is_multipart()}
    assert "Where is my parcel?" in parts["text/plain"] and "Hi Eve, I'm Alice" in parts["text/plain"]
    assert "VIP" not in parts["text/plain"] and "VIP" not in parts["text/html"]
    assert "Where is my parcel?" in parts["text/html"]
